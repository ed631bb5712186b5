import { formatShape, ShapeError } from '../errors.js';
import { gemm } from './backend.js';
import { reuse, sameShape, type Tensor } from './tensor.js';

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
  gemm(transA, transB, m, n, ka, a.data, b.data, out.data, bias?.data);
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
