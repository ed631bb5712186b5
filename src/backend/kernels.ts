import type { Window } from '../tensor/im2col.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * One matrix product C = op(A)·op(B) (+ bias on every row), C m×n, op(A) m×k, op(B) k×n. With
 * `transA`, A is stored k×m and read as its transpose; likewise `transB` (B stored n×k). No
 * transpose is ever materialised. C is overwritten.
 *
 * @example
 * kernels.gemm({ a: x, b: W, c: out, m: 100, n: 50, k: 784, bias: b }); // out = x·W + b
 */
export interface Gemm<F extends FloatArray = FloatArray> {
  a: F;
  b: F;
  c: F;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: F;
}

/** Rows of bytes as an image set stores them: row `rows[i]` is `bytes[rows[i]·width …]`. */
export interface ByteRows {
  bytes: Uint8Array;
  rows: ArrayLike<number>;
  width: number;
}

/**
 * The operations that have a fast path, as one backend provides them. The plain JavaScript
 * kernels (`plain.ts`) are the reference every other backend is tested against; a backend that
 * cannot do an operation on some arrays does it the plain way itself, so a caller never has to.
 * Elementwise kernels work on every entry of their output; the inputs are at least as long.
 * float64 arrays always go to the plain kernels (see `kernelsFor`).
 */
export interface Kernels {
  gemm(product: Gemm): void;
  /** out = 1 / (1 + e^(−x)) */
  sigmoid(x: FloatArray, out: FloatArray): void;
  /** dx = dout ⊙ y(1 − y), y being the sigmoid's output */
  sigmoidBackward(y: FloatArray, dout: FloatArray, dx: FloatArray): void;
  /** out = x where x > 0, else +0 (NaN passes, as the book's mask x ≤ 0 lets it) */
  reluForward(x: FloatArray, out: FloatArray): void;
  /** dx = dout where y > 0, else 0, y being the Relu's output (≤ 0 exactly where its input was) */
  reluBackward(y: FloatArray, dout: FloatArray, dx: FloatArray): void;
  /** out = tanh(x) */
  tanhForward(x: FloatArray, out: FloatArray): void;
  /** dx = dout ⊙ (1 − y²), y being tanh's output */
  tanhBackward(y: FloatArray, dout: FloatArray, dx: FloatArray): void;
  /** out[i·width + j] = bytes[rows[i]·width + j] / 255: images as the book's normalised pixels */
  normalizeBytes(source: ByteRows, out: FloatArray): void;
  /**
   * out = (rows of bytes / 255)·W (+ bias): a first Affine layer on images as they are stored,
   * the same floats as normalizeBytes then gemm, without the floats of the images being kept.
   */
  gemmNormalizedBytes(source: ByteRows, W: FloatArray, bias: FloatArray | undefined, out: FloatArray): void;
  /** p ← p − lr·g */
  sgd(p: FloatArray, g: FloatArray, lr: number): void;
  /** The book's Adam step: m += (1 − β1)(g − m); v += (1 − β2)(g² − v); p −= lr_t·m / (√v + 1e-7) */
  adam(p: FloatArray, g: FloatArray, m: Float64Array, v: Float64Array, lrT: number, beta1: number, beta2: number): void;
  /** A zeroed Float64Array for an optimizer's running state, where this backend's kernels reach it. */
  stateArray(size: number): Float64Array;
  /**
   * Max pooling of x (win.n × win.c × win.h × win.w) into out (… × win.oh × win.ow): the largest
   * value of each window, padded cells counting as 0, the first in row-major order on a tie;
   * argmax[o] is the flat index into x of out[o]'s maximum, or −1 when it was the padding.
   */
  maxPool(x: FloatArray, win: Window, out: FloatArray, argmax: Int32Array): void;
  /** dx = 0, then dx[argmax[o]] += dout[o] for every o whose argmax is not −1 (in the order of o). */
  maxPoolBackward(dout: FloatArray, argmax: Int32Array, dx: FloatArray): void;
  /**
   * The book's im2col: every window of x (win) as a row of col, with `ones` a column of ones at the
   * end of each row (see src/tensor/im2col.ts, whose loops are the plain kernel).
   */
  im2col(x: FloatArray, win: Window, col: FloatArray, ones: boolean): void;
  /** The book's col2im, im2col's adjoint: dx overwritten by the sum of col's rows where their windows lay. */
  col2im(col: FloatArray, win: Window, dx: FloatArray, ones: boolean): void;
  /** Whether every entry of x is finite (no NaN, no ±∞): training's check of each gradient. */
  allFinite(x: FloatArray): boolean;
  /** A zeroed Int32Array (a layer's indices, as max pooling's argmax), where this backend's kernels reach it. */
  indexArray(size: number): Int32Array;
}
