import { ScratchnetError, ShapeError } from '../errors.js';
import { gemm as plainGemm } from './gemm.js';
import type { FloatArray } from './tensor.js';

/** The kernels a backend provides, on float32 arrays (float64 always runs the plain JS kernels). */
export interface Kernels {
  /** C = op(A)·op(B) (+ bias on every row when given), as {@link plainGemm}. */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    bias?: Float32Array,
  ): void;
  /** out[i] = 1 / (1 + e^(−x[i])) for the first `size` entries, when the backend has a faster one. */
  sigmoid?(x: Float32Array, out: Float32Array, size: number): void;
  /** As {@link sigmoidBackward}, when the backend has a faster one. */
  sigmoidBackward?(y: Float32Array, dout: Float32Array, dx: Float32Array, size: number): void;
  /** A zeroed Float64Array where the backend's kernels reach it (for an optimizer's state), if it can. */
  float64?(size: number): Float64Array | undefined;
  /** The book's Adam step as {@link adamStep}; false when the backend cannot do it on these arrays. */
  adam?(p: Float32Array, g: Float32Array, m: Float64Array, v: Float64Array, lrT: number, beta1: number, beta2: number): boolean;
  /** As {@link relu}, when the backend has a faster one. */
  relu?(x: Float32Array, dout: Float32Array | undefined, out: Float32Array, size: number): void;
  /** The SGD step as {@link sgdStep}; false when the backend cannot do it on these arrays. */
  sgd?(p: Float32Array, g: Float32Array, lr: number): boolean;
  /** As {@link unitRows}, when the backend has a faster one. */
  unitRows?(bytes: Uint8Array, rows: ArrayLike<number>, width: number, out: Float32Array): void;
  /** As {@link unitRowsTimes}, when the backend has a kernel for it; false when it cannot take these rows. */
  unitRowsTimes?(
    bytes: Uint8Array,
    rows: ArrayLike<number>,
    width: number,
    w: Float32Array,
    bias: Float32Array | undefined,
    out: Float32Array,
  ): boolean;
}

export type BackendName = 'js' | 'wasm';

// The plain JS kernels are always there: the reference every other backend is tested against.
const registry = new Map<BackendName, Kernels>();
let active: BackendName = 'js';
let fast: Kernels | undefined;

/** Makes `kernels` available under `name` (the WebAssembly backend registers itself as 'wasm'). */
export function registerBackend(name: BackendName, kernels: Kernels): void {
  if (name === 'js') throw new ScratchnetError("registerBackend: 'js' is the built-in reference, expected another name");
  registry.set(name, kernels);
  if (active === name) fast = kernels;
}

/**
 * Selects the kernels float32 products run on: 'js' (the plain reference, the default) or 'wasm'
 * (WebAssembly SIMD, once loaded with `useWasm`, or `loadWasmBackend` from 'scratchnet/node').
 *
 * @example
 * setBackend('js'); // back to the plain kernels
 */
export function setBackend(name: BackendName): void {
  if (name !== 'js' && !registry.has(name)) {
    throw new ScratchnetError(`backend '${name}' is not loaded, expected 'js' or a loaded backend (load the wasm one with useWasm first)`);
  }
  active = name;
  fast = registry.get(name);
}

/** The name of the backend float32 products run on. */
export function getBackend(): BackendName {
  return active;
}

/** Whether products of `a`'s dtype run on a faster backend than the plain kernel. */
export function hasFastKernels(a: FloatArray): boolean {
  return fast !== undefined && a instanceof Float32Array;
}

/**
 * C = op(A)·op(B) (+ bias), dispatched: float32 operands go to the active backend, anything else
 * (float64) to the plain JS kernel.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  bias?: FloatArray,
): void {
  if (
    fast &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    c instanceof Float32Array &&
    (!bias || bias instanceof Float32Array)
  ) {
    fast.gemm(transA, transB, m, n, k, a, b, c, bias);
    return;
  }
  plainGemm(transA, transB, m, n, k, a, b, c);
  if (bias) addBias(m, n, c, bias);
}

// c[i, :] += bias
function addBias(m: number, n: number, c: FloatArray, bias: FloatArray): void {
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) c[r + j] += bias[j];
  }
}

/**
 * out = σ(x) = 1 / (1 + e^(−x)) elementwise over the first `size` entries: float32 on the active
 * backend's kernel when it has one, otherwise (and always for float64) this plain loop.
 */
export function sigmoid(x: FloatArray, out: FloatArray, size = x.length): void {
  if (fast?.sigmoid && x instanceof Float32Array && out instanceof Float32Array) {
    fast.sigmoid(x, out, size);
    return;
  }
  for (let i = 0; i < size; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
}

/**
 * The sigmoid's backward dx = dout·y·(1 − y), y being the forward's output, over the first `size`
 * entries: float32 on the active backend's kernel when it has one (the same floats), otherwise this
 * plain loop.
 */
export function sigmoidBackward(y: FloatArray, dout: FloatArray, dx: FloatArray, size = y.length): void {
  if (fast?.sigmoidBackward && y instanceof Float32Array && dout instanceof Float32Array && dx instanceof Float32Array) {
    fast.sigmoidBackward(y, dout, dx, size);
    return;
  }
  for (let i = 0; i < size; i++) dx[i] = dout[i] * y[i] * (1 - y[i]);
}

/**
 * The Relu, forward (out = x where x > 0, else 0; NaN passes) or, given `dout`, backward with x the
 * forward's output (out = dout where x > 0, else 0 — x ≤ 0 exactly where the input was ≤ 0). float32
 * on the active backend's kernel when it has one, otherwise this plain loop.
 */
export function relu(x: FloatArray, dout: FloatArray | undefined, out: FloatArray, size = x.length): void {
  if (fast?.relu && x instanceof Float32Array && out instanceof Float32Array && (dout === undefined || dout instanceof Float32Array)) {
    fast.relu(x, dout, out, size);
    return;
  }
  const src = dout ?? x;
  for (let i = 0; i < size; i++) out[i] = x[i] <= 0 ? 0 : src[i];
}

/**
 * A zeroed Float64Array for an optimizer's running state of the parameter `param`: where the active
 * backend's kernels reach it when `param` is float32 and the backend can, else an ordinary one.
 */
export function stateArray(size: number, param: FloatArray): Float64Array {
  return (param instanceof Float32Array ? fast?.float64?.(size) : undefined) ?? new Float64Array(size);
}

/**
 * The SGD step p −= lr·g on the backend's kernel for float32 parameters, when it has one for these
 * arrays (the same floats as the plain loop). Returns false (nothing done) otherwise, and the
 * optimizer runs its own loop.
 */
export function sgdStep(p: FloatArray, g: FloatArray, lr: number): boolean {
  if (!fast?.sgd || !(p instanceof Float32Array) || !(g instanceof Float32Array)) return false;
  return fast.sgd(p, g, lr);
}

/**
 * The book's Adam step on the backend's kernel for float32 parameters, when it has one for these
 * arrays: m += (1 − β1)(g − m); v += (1 − β2)(g² − v); p −= lr_t·m / (√v + 1e-7). Returns false
 * (nothing done) otherwise, and the optimizer runs its own loop.
 */
export function adamStep(
  p: FloatArray,
  g: FloatArray,
  m: Float64Array,
  v: Float64Array,
  lrT: number,
  beta1: number,
  beta2: number,
): boolean {
  if (!fast?.adam || !(p instanceof Float32Array) || !(g instanceof Float32Array)) return false;
  return fast.adam(p, g, m, v, lrT, beta1, beta2);
}

// byte / 255 for every byte, looked up rather than divided (the same values)
const UNIT = Float64Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * out[i·width + j] = bytes[rows[i]·width + j] / 255: rows of bytes (images) gathered as floats in
 * [0, 1], the book's normalised pixels. float32 on the active backend's kernel when it has one
 * (converting bytes one at a time is slow in JavaScript), otherwise this plain loop.
 */
export function unitRows(bytes: Uint8Array, rows: ArrayLike<number>, width: number, out: FloatArray): void {
  const n = rows.length;
  if (out.length < n * width) throw new ShapeError(`unitRows: out holds ${out.length} floats, expected at least ${n}×${width}`);
  checkRows('unitRows', bytes, rows, width);
  if (fast?.unitRows && out instanceof Float32Array) {
    fast.unitRows(bytes, rows, width, out);
    return;
  }
  for (let i = 0; i < n; i++) {
    const src = rows[i] * width;
    const dst = i * width;
    for (let j = 0; j < width; j++) out[dst + j] = UNIT[bytes[src + j]];
  }
}

// Every row index whole and inside `bytes`, or a ShapeError naming the first that is not.
function checkRows(name: string, bytes: Uint8Array, rows: ArrayLike<number>, width: number): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || (row + 1) * width > bytes.length) {
      throw new ShapeError(`${name}: row ${row} at ${i}, expected a whole number from 0 to ${Math.floor(bytes.length / width) - 1}`);
    }
  }
}

/**
 * out = (rows of bytes / 255)·W (+ bias): a fully connected layer applied to images as they are
 * stored, as unitRows then a product but without making the floats, when the active backend has a
 * kernel for it that takes rows this long and the arrays are float32. Returns false (nothing done)
 * otherwise.
 */
export function unitRowsTimes(
  bytes: Uint8Array,
  rows: ArrayLike<number>,
  width: number,
  W: FloatArray,
  bias: FloatArray | undefined,
  out: FloatArray,
): boolean {
  if (!fast?.unitRowsTimes || !(W instanceof Float32Array) || !(out instanceof Float32Array) || (bias && !(bias instanceof Float32Array))) {
    return false;
  }
  const n = W.length / width;
  if (!Number.isInteger(n) || out.length < rows.length * n || (bias && bias.length !== n)) {
    throw new ShapeError(
      `unitRowsTimes: W holds ${W.length} floats for rows of ${width}, out ${out.length}, expected W ${width}×n, bias n, out ${rows.length}×n`,
    );
  }
  checkRows('unitRowsTimes', bytes, rows, width);
  return fast.unitRowsTimes(bytes, rows, width, W, bias, out);
}
