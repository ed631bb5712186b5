import { formatShape, ShapeError } from '../errors.js';
import { ANY, checkElements, type FloatArray } from './tensor.js';

/** The geometry of a sliding window over N×C×H×W input: kernel, stride, zero padding, output size. */
export interface Window {
  n: number;
  c: number;
  h: number;
  w: number;
  fh: number;
  fw: number;
  stride: number;
  pad: number;
  /** Output height (H + 2·pad − FH)/stride + 1. */
  oh: number;
  /** Output width (W + 2·pad − FW)/stride + 1. */
  ow: number;
}

/**
 * The output size of a window along one axis, (size + 2·pad − kernel)/stride + 1, which must be a
 * whole number ≥ 1; else a {@link ShapeError} that starts with `where` and names both shapes. A size
 * not known yet (−1) gives an output size not known yet.
 *
 * @example
 * windowOutputSize('Pooling#3', 'x is 1×30×24×24', 'the window is 2×2', 24, 2, 2, 0, 'height'); // 12
 */
export function windowOutputSize(
  where: string,
  input: string,
  kernel: string,
  size: number,
  k: number,
  stride: number,
  pad: number,
  axis: string,
): number {
  if (size === ANY) return ANY;
  const padded = size + 2 * pad;
  const how = `(stride ${stride}, pad ${pad})`;
  if (k > padded)
    throw new ShapeError(`${where}: ${input} but ${kernel} ${how}: the ${axis} ${k} is larger than the padded input's ${padded}`);
  if ((padded - k) % stride !== 0) {
    throw new ShapeError(
      `${where}: ${input} but ${kernel} ${how}: the output ${axis} (${size} + 2·${pad} − ${k})/${stride} + 1 is not a whole number`,
    );
  }
  return (padded - k) / stride + 1;
}

/**
 * The window of a kernel FH×FW sliding over x (N×C×H×W), checking that the output size is whole.
 * `where` and `kernel` word the error: `Convolution#1.forward`, `W is 2×3×3×3`.
 */
export function slidingWindow(
  where: string,
  xShape: readonly number[],
  kernel: string,
  fh: number,
  fw: number,
  stride: number,
  pad: number,
): Window {
  if (xShape.length !== 4) throw new ShapeError(`${where}: x is ${formatShape(xShape)} but ${kernel}, expected x of N×C×H×W`);
  const [n, c, h, w] = xShape;
  const input = `x is ${formatShape(xShape)}`;
  const oh = windowOutputSize(where, input, kernel, h, fh, stride, pad, 'height');
  const ow = windowOutputSize(where, input, kernel, w, fw, stride, pad, 'width');
  // the windows of a large padding are held to the tensor limit before anything is made of them
  if (oh !== ANY && ow !== ANY)
    checkElements(Math.max(n, 1) * Math.max(c, 1) * oh * ow, `${where}: ${input} but ${kernel}: its output of ${oh}×${ow} windows`);
  return { n, c, h, w, fh, fw, stride, pad, oh, ow };
}

/**
 * The book's im2col: every window of x (N×C×H×W, zero padded) as one row of `col`, which is
 * (N·OH·OW) × (C·FH·FW) with rows ordered (n, oh, ow) and columns (c, fh, fw). A convolution
 * is then one matrix product. `col` is overwritten. With `ones`, each row ends with one more
 * column, a 1, so that the filters and their biases side by side, [W | b], multiply it in one
 * product (the bias being the last term of each sum, as the book adds it after col·col_W).
 *
 * @example
 * // x 1×1×3×3, a 2×2 window, stride 1: col is 4×4, its first row x[0,0,0:2,0:2]
 * im2col(x.data, win, col.data);
 */
export function im2col(x: FloatArray, win: Window, col: FloatArray, ones = false): void {
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = win;
  const rowLength = c * fh * fw + (ones ? 1 : 0);
  let r = 0;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, r++) {
        let q = r * rowLength;
        for (let ch = 0; ch < c; ch++) {
          const plane = (i * c + ch) * h;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y * stride + ky - pad;
            if (iy < 0 || iy >= h) {
              col.fill(0, q, q + fw);
              q += fw;
              continue;
            }
            const rowStart = (plane + iy) * w;
            for (let kx = 0; kx < fw; kx++, q++) {
              const ix = xo * stride + kx - pad;
              col[q] = ix >= 0 && ix < w ? x[rowStart + ix] : 0;
            }
          }
        }
        if (ones) col[q] = 1;
      }
    }
  }
}

/**
 * The book's col2im, im2col's adjoint: adds every row of `col` back onto the positions of x its
 * window covered (overlapping windows sum; entries that fell on the padding are dropped).
 * `dx` (N×C×H×W) is overwritten. With `ones`, each row of `col` has one more column, left out.
 */
export function col2im(col: FloatArray, win: Window, dx: FloatArray, ones = false): void {
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = win;
  const rowLength = c * fh * fw + (ones ? 1 : 0);
  dx.fill(0, 0, n * c * h * w);
  let r = 0;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, r++) {
        let q = r * rowLength;
        for (let ch = 0; ch < c; ch++) {
          const plane = (i * c + ch) * h;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y * stride + ky - pad;
            if (iy < 0 || iy >= h) {
              q += fw;
              continue;
            }
            const rowStart = (plane + iy) * w;
            for (let kx = 0; kx < fw; kx++, q++) {
              const ix = xo * stride + kx - pad;
              if (ix >= 0 && ix < w) dx[rowStart + ix] += col[q];
            }
          }
        }
      }
    }
  }
}
