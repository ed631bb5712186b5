import type { ByteRows } from '../backend/kernels.js';
import { kernelsFor } from '../backend/registry.js';
import { formatShape, ShapeError } from '../errors.js';
import { type FloatArray, reuse, sameShape, type Tensor } from './tensor.js';

function expectMatrix(op: string, name: string, t: Tensor): void {
  if (t.rank !== 2) throw new ShapeError(`${op}: ${name} is ${formatShape(t.shape)}, expected a matrix (2 axes)`);
}

function expectSameShape(op: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(`${op}: a is ${formatShape(a.shape)} but b is ${formatShape(b.shape)}, expected equal shapes`);
  }
}

export interface MatmulOptions {
  /** Read a as its transpose. */
  transA?: boolean;
  /** Read b as its transpose. */
  transB?: boolean;
  /** Write the result here when it has the right shape and dtype (else a new tensor is made). */
  out?: Tensor;
  /** A vector added to every row of the product (the Affine bias), fused into the kernel. */
  bias?: Tensor;
}

/**
 * The matrix product op(a)·op(b) (+ bias), with transposes read in place. float32 products run on
 * the active backend (see `setBackend`), float64 ones on the plain JS kernel.
 *
 * @example
 * matmul(Tensor.from([[1, 2]]), Tensor.from([[0.1, -0.2], [0.4, 0.3]])).toArray(); // [[0.9, 0.4]]
 * matmul(x, dout, { transA: true });  // xᵀ·dout, the book's dW
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false } = options;
  expectMatrix('matmul', 'a', a);
  expectMatrix('matmul', 'b', b);
  const [m, ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    const an = transA ? `aᵀ is ${m}×${ka}` : `a is ${m}×${ka}`;
    const bn = transB ? `bᵀ is ${kb}×${n}` : `b is ${kb}×${n}`;
    throw new ShapeError(`matmul: ${an} but ${bn}, expected the inner sizes to match`);
  }
  const { bias } = options;
  if (bias && (bias.rank !== 1 || bias.size !== n)) {
    throw new ShapeError(`matmul: the product is ${m}×${n} but bias is ${formatShape(bias.shape)}, expected a bias of ${n}`);
  }
  const out = reuse(options.out, [m, n], a.dtype);
  kernelsFor(out.data).gemm({ a: a.data, b: b.data, c: out.data, m, n, k: ka, transA, transB, bias: bias?.data });
  return out;
}

/** x + b with the vector b added to every row of the matrix x (NumPy broadcasting of a bias). */
export function addRowVector(x: Tensor, b: Tensor, out?: Tensor): Tensor {
  expectMatrix('addRowVector', 'x', x);
  if (b.rank !== 1 || b.size !== x.shape[1]) {
    throw new ShapeError(`addRowVector: x is ${formatShape(x.shape)} but b is ${formatShape(b.shape)}, expected b of ${x.shape[1]}`);
  }
  const result = reuse(out, x.shape, x.dtype);
  const [rows, cols] = x.shape;
  const xd = x.data;
  const bd = b.data;
  const od = result.data;
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) od[r + j] = xd[r + j] + bd[j];
  }
  return result;
}

/** Sums a matrix over its rows (NumPy's `np.sum(x, axis=0)`): the bias gradient Σ dout. */
export function sumRows(x: Tensor, out?: Tensor): Tensor {
  expectMatrix('sumRows', 'x', x);
  const [rows, cols] = x.shape;
  const result = reuse(out, [cols], x.dtype);
  const od = result.data;
  const xd = x.data;
  od.fill(0);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) od[j] += xd[r + j];
  }
  return result;
}

/** The column index of each row's largest entry (the predicted class). */
export function argmaxRows(x: Tensor): Int32Array {
  expectMatrix('argmaxRows', 'x', x);
  const [rows, cols] = x.shape;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let best = 0;
    for (let j = 1; j < cols; j++) if (x.data[r + j] > x.data[r + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Whether every entry is finite (no NaN, no ±∞), in one pass on the array's kernels. */
export function allFinite(data: FloatArray): boolean {
  return kernelsFor(data).allFinite(data);
}

/** a + b, elementwise, shapes equal. */
export function add(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  expectSameShape('add', a, b);
  const result = reuse(out, a.shape, a.dtype);
  for (let i = 0; i < a.size; i++) result.data[i] = a.data[i] + b.data[i];
  return result;
}

/** a − b, elementwise, shapes equal. */
export function sub(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  expectSameShape('sub', a, b);
  const result = reuse(out, a.shape, a.dtype);
  for (let i = 0; i < a.size; i++) result.data[i] = a.data[i] - b.data[i];
  return result;
}

/** a ⊙ b, elementwise, shapes equal. */
export function mul(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  expectSameShape('mul', a, b);
  const result = reuse(out, a.shape, a.dtype);
  for (let i = 0; i < a.size; i++) result.data[i] = a.data[i] * b.data[i];
  return result;
}

/** s · a. */
export function scale(a: Tensor, s: number, out?: Tensor): Tensor {
  const result = reuse(out, a.shape, a.dtype);
  for (let i = 0; i < a.size; i++) result.data[i] = s * a.data[i];
  return result;
}

/** f applied to every element. */
export function map(a: Tensor, f: (v: number) => number, out?: Tensor): Tensor {
  const result = reuse(out, a.shape, a.dtype);
  for (let i = 0; i < a.size; i++) result.data[i] = f(a.data[i]);
  return result;
}

/** An activation's forward on the kernels of x's dtype, into `out` when it fits. */
function activation(kernel: 'sigmoid' | 'reluForward' | 'tanhForward', x: Tensor, out?: Tensor): Tensor {
  const result = reuse(out, x.shape, x.dtype);
  kernelsFor(result.data)[kernel](x.data, result.data);
  return result;
}

/** An activation's backward from its output y, on the kernels of dout's dtype, into `dx` when it fits. */
function activationBackward(kernel: 'sigmoidBackward' | 'reluBackward' | 'tanhBackward', y: Tensor, dout: Tensor, dx?: Tensor): Tensor {
  const result = reuse(dx, y.shape, dout.dtype);
  kernelsFor(result.data)[kernel](y.data, dout.data, result.data);
  return result;
}

/**
 * out = 1 / (1 + e^(−x)).
 *
 * @example
 * sigmoid(Tensor.from([[0.9, 0.4]])).toArray(); // [[0.7109…, 0.5986…]]
 */
export const sigmoid = (x: Tensor, out?: Tensor): Tensor => activation('sigmoid', x, out);
/** dx = dout ⊙ y(1 − y), y being the sigmoid's output. */
export const sigmoidBackward = (y: Tensor, dout: Tensor, dx?: Tensor): Tensor => activationBackward('sigmoidBackward', y, dout, dx);
/** out = max(0, x) (NaN passes, −0 becomes +0). */
export const reluForward = (x: Tensor, out?: Tensor): Tensor => activation('reluForward', x, out);
/** dx = dout where y > 0, else 0, y being the Relu's output. */
export const reluBackward = (y: Tensor, dout: Tensor, dx?: Tensor): Tensor => activationBackward('reluBackward', y, dout, dx);
/** out = tanh(x). */
export const tanhForward = (x: Tensor, out?: Tensor): Tensor => activation('tanhForward', x, out);
/** dx = dout ⊙ (1 − y²), y being tanh's output. */
export const tanhBackward = (y: Tensor, dout: Tensor, dx?: Tensor): Tensor => activationBackward('tanhBackward', y, dout, dx);

/**
 * out[i·width + j] = bytes[rows[i]·width + j] / 255: rows of bytes (images) gathered as floats in
 * [0, 1], the book's normalised pixels, on the kernels of out's dtype.
 *
 * @example
 * normalizeBytes({ bytes: set.images, rows: [0, 1], width: 784 }, x.data); // x: 2×784
 */
export function normalizeBytes(source: ByteRows, out: FloatArray): void {
  const { rows, width } = source;
  if (out.length < rows.length * width)
    throw new ShapeError(`normalizeBytes: out holds ${out.length} floats, expected at least ${rows.length}×${width}`);
  checkRows('normalizeBytes', source);
  kernelsFor(out).normalizeBytes(source, out.length === rows.length * width ? out : out.subarray(0, rows.length * width));
}

/**
 * (rows of bytes / 255)·W + bias: a fully connected layer applied to images as they are stored,
 * the same floats as normalizeBytes then matmul, without the floats of the images being kept.
 *
 * @example
 * matmulNormalizedBytes({ bytes: set.images, rows, width: 784 }, W, b); // rows.length×W's columns
 */
export function matmulNormalizedBytes(source: ByteRows, W: Tensor, bias?: Tensor, out?: Tensor): Tensor {
  const { rows, width } = source;
  expectMatrix('matmulNormalizedBytes', 'W', W);
  const n = W.shape[1];
  if (W.shape[0] !== width || (bias && (bias.rank !== 1 || bias.size !== n))) {
    throw new ShapeError(
      `matmulNormalizedBytes: rows of ${width} bytes but W is ${formatShape(W.shape)}${bias ? ` and bias ${formatShape(bias.shape)}` : ''}, expected W ${width}×n and a bias of n`,
    );
  }
  checkRows('matmulNormalizedBytes', source);
  const result = reuse(out, [rows.length, n], W.dtype);
  kernelsFor(result.data).gemmNormalizedBytes(source, W.data, bias?.data, result.data);
  return result;
}

// Every row index whole and inside `bytes`, or a ShapeError naming the first that is not.
function checkRows(name: string, { bytes, rows, width }: ByteRows): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || (row + 1) * width > bytes.length) {
      throw new ShapeError(`${name}: row ${row} at ${i}, expected a whole number from 0 to ${Math.floor(bytes.length / width) - 1}`);
    }
  }
}
