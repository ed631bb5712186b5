import { ScratchnetError } from '../../errors.js';
import type { Window } from '../../tensor/im2col.js';
import { type FloatArray, setFloat32Allocator } from '../../tensor/tensor.js';
import type { ByteRows, Gemm, Kernels } from '../kernels.js';
import { plain } from '../plain.js';
import { registerBackend, setBackend } from '../registry.js';
import { gemmNormalizedBytesOnWasm, normalizeBytesOnWasm, type WasmParts } from './bytes.js';
import { align, WasmHeap } from './heap.js';
import { maxPoolBackwardOnWasm, maxPoolOnWasm, windowsOnWasm } from './layers.js';
import { type HelperData, HelperThreads, instantiateKernels, type KernelExports, Op, SPLIT_MACS, splitAcrossThreads } from './threads.js';

export type { HelperData, KernelExports } from './threads.js';

const MAX_PAGES = 16384; // 1 GiB, the most the module declares
/** The longest row the sparse paths take (they list a row's non-zeros by 16-bit indices). */
const MAX_SPARSE_WIDTH = 65536;
/** At most this many bytes of tensors live in the module's memory; the rest are ordinary arrays. */
const RESIDENT_BUDGET = 512 * 1024 * 1024;

export interface WasmOptions {
  /**
   * Declare the memory shared (needs SharedArrayBuffer: Node, or a cross-origin-isolated page).
   * Float32 tensors are then allocated in it, where the kernels read them without a copy, and
   * helper threads can share products. Default: whether SharedArrayBuffer exists. A shared memory
   * needs the module built with --sharedMemory (dist/wasm/kernels-shared.wasm).
   */
  shared?: boolean;
  /**
   * For the loaders (`loadWasm`, `loadWasmBackend`): take the module built with relaxed SIMD, whose
   * products step by fused multiply-adds (faster, one rounding a step), where the engine has relaxed
   * SIMD. Default true; false takes the plain SIMD module, whose floats are the same on every machine.
   */
  fma?: boolean;
}

/** Where an operand is in the module's memory (a byte address), and whether it was copied there for this call. */
interface OperandAddress {
  at: number;
  copied: boolean;
}

const f32 = (...arrays: (FloatArray | undefined)[]): boolean => arrays.every((a) => a === undefined || a instanceof Float32Array);

/**
 * The WebAssembly SIMD kernels over one linear memory, on float32 arrays (anything else goes to the
 * plain kernels, as do the operations this module has no kernel for). Arrays that live in the memory
 * (float32 tensors, when it is shared) are used where they are; any other array is copied into
 * scratch space for the call and the result copied back. Products above SPLIT_MACS are split by rows
 * across helper threads when some are started (see `startHelpers`); every row is computed the same
 * way whichever thread does it, so the results do not depend on the number of threads.
 */
export class WasmKernels implements Kernels {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly shared: boolean;
  /**
   * Whether each step of a product is one fused multiply-add, rounded once (the relaxed-SIMD
   * module on a processor with FMA), or a multiply and an add, each rounded (the plain kernels' way).
   */
  readonly fused: boolean;
  private readonly exports: KernelExports;
  private readonly heap: WasmHeap;
  private readonly helpers: HelperThreads;
  /** What the kernels of bytes.ts work with. */
  private readonly parts: WasmParts;

  constructor(module: WebAssembly.Module, options: WasmOptions = {}) {
    this.module = module;
    this.shared = options.shared ?? typeof SharedArrayBuffer !== 'undefined';
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: this.shared });
    this.exports = instantiateKernels(module, this.memory);
    this.fused = this.exports.fused() === 1;
    this.heap = new WasmHeap(this.memory, this.exports.heapBase(), this.shared ? RESIDENT_BUDGET : 0);
    this.helpers = new HelperThreads(module, this.memory, this.heap);
    this.parts = { exports: this.exports, heap: this.heap, helpers: this.helpers, memory: this.memory };
  }

  /**
   * A zeroed Float32Array in the kernels' memory (used without copies), or undefined when the
   * memory is not shared (growing an unshared one would detach it) or the budget is spent.
   */
  float32(size: number): Float32Array | undefined {
    return this.shared ? this.heap.float32(size) : undefined;
  }

  /** A zeroed Float64Array in the memory for an optimizer's state, as `float32`. */
  float64(size: number): Float64Array | undefined {
    return this.shared ? this.heap.float64(size) : undefined;
  }

  /**
   * Lets large products run on `threads` threads in all: the calling thread and threads − 1
   * helpers, each started by `spawn` (a Node worker, a Web Worker) with what it needs to call
   * `serveRows` over this (shared) memory. `spawn` resolves once its helper is ready, with a
   * function that ends the helper's thread. Helpers already attached are stopped first. `sleep`:
   * whether the calling thread may block (Atomics.wait) while it waits for helpers; a page's main
   * thread may not. Resolves once every helper is ready.
   */
  async startHelpers(threads: number, spawn: (helper: HelperData) => Promise<() => void>, sleep = true): Promise<void> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new ScratchnetError(`threads is ${threads}, expected a whole number from 1 to 64`);
    }
    if (threads > 1 && !this.shared) throw new ScratchnetError('wasm backend: helper threads need a shared memory, expected shared: true');
    await this.helpers.start(threads - 1, spawn, sleep);
  }

  /** Stops the helper threads; products run on the calling thread alone again. */
  detachHelpers(): void {
    this.helpers.stop();
  }

  /** How many threads share a large product (1 without helpers). */
  get threads(): number {
    return 1 + this.helpers.count;
  }

  gemm(product: Gemm): void {
    const { a, b, c, m, n, k, transA = false, transB = false, bias } = product;
    if (!(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array && f32(bias))) {
      plain.gemm(product);
      return;
    }
    const e = this.exports;
    const threads = m >= 8 && m * n * k >= SPLIT_MACS ? this.threads : 1;
    const perThread = e.packBytes(n, k) + e.scratchBytes(k);
    // scratch: operands not already in the memory, then each thread's packed panels and scratch
    const sizes = [m * k * 4, k * n * 4, m * n * 4, bias ? n * 4 : 0];
    const operands = [a, b, c, bias];
    const offsets: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 4; i++) {
      offsets.push(bytes);
      const array = operands[i];
      if (array && this.heap.addressOf(array) < 0) bytes += align(sizes[i]);
    }
    const threadStart = bytes;
    bytes += threads * align(perThread);
    const scratch = this.heap.borrow(bytes);
    try {
      const view = this.heap.view();
      const place = (array: FloatArray | undefined, i: number, copyIn: boolean): OperandAddress => {
        if (!array) return { at: 0, copied: false };
        const at = this.heap.addressOf(array);
        if (at >= 0) return { at, copied: false };
        const to = scratch + offsets[i];
        if (copyIn) view.set(array.subarray(0, sizes[i] / 4), to >> 2);
        return { at: to, copied: true };
      };
      const pa = place(a, 0, true);
      const pb = place(b, 1, true);
      const pc = place(c, 2, false);
      const pbias = place(bias, 3, true);
      const rows = Math.ceil(m / threads / 4) * 4;
      const args = [+transA, +transB, m, n, k, pa.at, pb.at, pc.at, pbias.at];
      for (let t = 1; t < threads; t++) {
        const work = scratch + threadStart + t * align(perThread);
        const part = [work, 0, Math.min(m, t * rows), Math.min(m, (t + 1) * rows), work + e.packBytes(n, k)];
        this.helpers.run(t - 1, Op.GEMM, [...args, ...part]);
      }
      const own = scratch + threadStart;
      e.gemm(+transA, +transB, m, n, k, pa.at, pb.at, pc.at, pbias.at, own, 0, 0, Math.min(m, rows), own + e.packBytes(n, k));
      for (let t = 1; t < threads; t++) this.helpers.wait(t - 1);
      if (pc.copied) c.set(this.heap.view().subarray(pc.at >> 2, (pc.at >> 2) + m * n));
    } finally {
      this.heap.give(scratch, bytes);
    }
  }

  // e^x by a SIMD polynomial instead of Math.exp one float at a time: any copies in and out cost less
  sigmoid(x: FloatArray, out: FloatArray): void {
    if (f32(x, out)) this.each([x], out, Op.SIGMOID, this.exports.sigmoid);
    else plain.sigmoid(x, out);
  }

  // two lanes of float64 a step: the plain loop's floats without JavaScript's float32 stores
  sigmoidBackward(y: FloatArray, dout: FloatArray, dx: FloatArray): void {
    if (f32(y, dout, dx)) this.each([y, dout], dx, Op.SIGMOID_BACKWARD, this.exports.sigmoidBackward);
    else plain.sigmoidBackward(y, dout, dx);
  }

  // four lanes a compare and a mask, no branch to mispredict on the signs of the inputs
  reluForward(x: FloatArray, out: FloatArray): void {
    if (f32(x, out)) this.each([x], out, Op.RELU_FORWARD, this.exports.reluForward);
    else plain.reluForward(x, out);
  }

  reluBackward(y: FloatArray, dout: FloatArray, dx: FloatArray): void {
    if (f32(y, dout, dx)) this.each([y, dout], dx, Op.RELU_BACKWARD, this.exports.reluBackward);
    else plain.reluBackward(y, dout, dx);
  }

  // no SIMD kernel for tanh yet
  tanhForward = plain.tanhForward;
  tanhBackward = plain.tanhBackward;

  // sixteen bytes a step, widened and scaled in SIMD: a JS loop converts one byte at a time, slowly
  normalizeBytes(source: ByteRows, out: FloatArray): void {
    if (out instanceof Float32Array) normalizeBytesOnWasm(this.parts, source, out);
    else plain.normalizeBytes(source, out);
  }

  // the bytes read in place, each as byte / 255 (see bytes.ts)
  gemmNormalizedBytes(source: ByteRows, w: FloatArray, bias: FloatArray | undefined, out: FloatArray): void {
    if (!(w instanceof Float32Array && out instanceof Float32Array && f32(bias))) {
      plain.gemmNormalizedBytes(source, w, bias, out);
      return;
    }
    const { rows, width } = source;
    if (width > MAX_SPARSE_WIDTH) {
      // the kernel lists a row's non-zeros by 16-bit indices: longer rows take the floats and the product
      const x = new Float32Array(rows.length * width);
      this.normalizeBytes(source, x);
      this.gemm({ a: x, b: w, c: out, m: rows.length, n: w.length / width, k: width, bias });
      return;
    }
    gemmNormalizedBytesOnWasm(this.parts, source, w, bias as Float32Array | undefined, out);
  }

  // One kernel call for the whole update when the four arrays live in the memory; otherwise the plain
  // loop, whose floats are the same (copying the running means in and out would cost more than it).
  adam(p: FloatArray, g: FloatArray, m: Float64Array, v: Float64Array, lrT: number, beta1: number, beta2: number): void {
    const at = [p, g, m, v].map((array) => this.heap.addressOf(array));
    if (!f32(p, g) || at.some((a) => a < 0)) {
      plain.adam(p, g, m, v, lrT, beta1, beta2);
      return;
    }
    this.exports.adam(at[0], at[1], at[2], at[3], p.length, lrT, beta1, beta2);
  }

  // One kernel call when both arrays live in the memory; otherwise the plain loop, the same floats.
  sgd(p: FloatArray, g: FloatArray, lr: number): void {
    const pa = this.heap.addressOf(p);
    const ga = this.heap.addressOf(g);
    if (!f32(p, g) || pa < 0 || ga < 0) {
      plain.sgd(p, g, lr);
      return;
    }
    this.exports.sgd(pa, ga, p.length, lr);
  }

  stateArray(size: number): Float64Array {
    return this.float64(size) ?? new Float64Array(size);
  }

  // the book's 2×2 windows four at a time (assembly/pooling.ts), when the arrays live in the memory
  maxPool(x: FloatArray, win: Window, out: FloatArray, argmax: Int32Array): void {
    maxPoolOnWasm(this.parts, x, win, out, argmax);
  }

  maxPoolBackward(dout: FloatArray, argmax: Int32Array, dx: FloatArray): void {
    maxPoolBackwardOnWasm(this.parts, dout, argmax, dx);
  }

  // runs of x's rows copied (added) a vector at a time inside the image (assembly/im2col.ts)
  im2col(x: FloatArray, win: Window, col: FloatArray, ones: boolean): void {
    windowsOnWasm(this.parts, x, col, win, ones, 'im2col');
  }

  col2im(col: FloatArray, win: Window, dx: FloatArray, ones: boolean): void {
    windowsOnWasm(this.parts, col, dx, win, ones, 'col2im');
  }

  // the exponent bits of four floats a step; an array outside the memory takes the plain loop
  allFinite(x: FloatArray): boolean {
    const at = this.heap.addressOf(x);
    return x instanceof Float32Array && at >= 0 ? this.exports.allFinite(at, x.length) === 1 : plain.allFinite(x);
  }

  indexArray(size: number): Int32Array {
    return (this.shared ? this.heap.int32(size) : undefined) ?? new Int32Array(size);
  }

  // Runs elementwise kernel `op` over out's entries, split across the helpers when they are many:
  // its arguments are the inputs' and out's addresses and a count, a part's offset to its first entry.
  private each(inputs: FloatArray[], out: FloatArray, op: number, kernel: (...args: number[]) => void): void {
    this.elementwise(inputs, out, (at, pout) =>
      splitAcrossThreads(this.helpers, out.length, (from, count) => {
        const args = [...at.map((a) => a + 4 * from), pout + 4 * from, count];
        return { run: () => kernel(...args), op, args };
      }),
    );
  }

  // Runs an elementwise kernel on the addresses of `inputs` and `out` (each out.length floats),
  // copying in and out whichever of them do not live in the memory.
  private elementwise(inputs: FloatArray[], out: FloatArray, kernel: (at: number[], out: number) => void): void {
    const size = out.length;
    const arrays = [...inputs, out];
    const addresses = arrays.map((array) => this.heap.addressOf(array));
    const missing = addresses.filter((at) => at < 0).length;
    if (missing === 0) {
      kernel(addresses.slice(0, -1), addresses[addresses.length - 1]);
      return;
    }
    const bytes = missing * align(size * 4);
    const scratch = this.heap.borrow(bytes);
    try {
      const view = this.heap.view();
      let next = scratch;
      arrays.forEach((array, i) => {
        if (addresses[i] >= 0) return;
        addresses[i] = next;
        next += align(size * 4);
        if (i < inputs.length) view.set(array.subarray(0, size), addresses[i] >> 2);
      });
      const pout = addresses[addresses.length - 1];
      kernel(addresses.slice(0, -1), pout);
      if (this.heap.addressOf(out) < 0) out.set(this.heap.view().subarray(pout >> 2, (pout >> 2) + size));
    } finally {
      this.heap.give(scratch, bytes);
    }
  }
}

/**
 * Loads the WebAssembly SIMD kernels from the bytes of dist/wasm/kernels.wasm (or, for a shared
 * memory, kernels-shared.wasm; the kernels-fma*.wasm files are the same built with relaxed SIMD;
 * or a compiled module) and makes them the active backend for
 * float32. With a shared memory, float32 tensors made from then on are allocated in it. In Node,
 * `loadWasmBackend()` from 'scratchnet/node' reads the file for you; in a browser, fetch the file
 * and pass its bytes.
 *
 * @example
 * useWasm(new Uint8Array(await (await fetch('kernels.wasm')).arrayBuffer()), { shared: false });
 * const net = new TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { dtype: 'float32' }); // now runs on wasm
 */
export function useWasm(source: WebAssembly.Module | BufferSource, options: WasmOptions = {}): WasmKernels {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const kernels = new WasmKernels(module, options);
  registerBackend('wasm', kernels);
  setBackend('wasm');
  setFloat32Allocator(kernels.shared ? (size) => kernels.float32(size) : undefined);
  return kernels;
}
