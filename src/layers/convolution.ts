import { formatShape, InputError, ShapeError } from '../errors.js';
import { gemm, hasFastKernels } from '../tensor/backend.js';
import { col2im, im2col, slidingWindow, type Window } from '../tensor/im2col.js';
import { reuse, sameShape, Tensor } from '../tensor/tensor.js';
import type { Layer, LayerJSON } from './layer.js';

/**
 * The book's convolution layer: FN filters W (FN×C×FH×FW) and biases b (FN) slide over
 * x (N×C×H×W) with a stride and zero padding, giving N×FN×OH×OW with
 * OH = (H + 2·pad − FH)/stride + 1 (likewise OW). Computed as the book does: im2col, then one
 * matrix product with the filters as columns.
 *
 * @example
 * const conv = new Convolution(W, b, 1, 0);   // W 30×1×5×5, b 30
 * conv.forward(x).shape;                      // x 100×1×28×28 → [100, 30, 24, 24]
 */
export class Convolution implements Layer {
  readonly type = 'Convolution';
  label = 'Convolution';
  readonly params: { W: Tensor; b: Tensor };
  readonly grads: { W: Tensor; b: Tensor };
  private win: Window | undefined;
  private col: Tensor | undefined;
  /** W as (C·FH·FW)×FN, the book's col_W, refreshed from W on every forward. */
  private colW: Tensor;
  private out2: Tensor | undefined;
  private out: Tensor | undefined;
  private dout2: Tensor | undefined;
  private dcol: Tensor | undefined;
  private dx: Tensor | undefined;
  /** One image's share of dW (C·FH·FW)×FN: summing per image keeps the product in cache. */
  private dWImage: Tensor;
  private dWSum: Tensor;

  constructor(
    W: Tensor,
    b: Tensor,
    readonly stride = 1,
    readonly pad = 0,
  ) {
    if (W.rank !== 4) throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)}, expected filters FN×C×FH×FW`);
    if (b.rank !== 1 || b.size !== W.shape[0]) {
      throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)} but b is ${formatShape(b.shape)}, expected b of ${W.shape[0]}`);
    }
    if (!Number.isInteger(stride) || stride < 1) throw new InputError(`${this.label}: stride is ${stride}, expected a whole number ≥ 1`);
    if (!Number.isInteger(pad) || pad < 0) throw new InputError(`${this.label}: pad is ${pad}, expected a whole number ≥ 0`);
    this.params = { W, b };
    this.grads = { W: Tensor.zeros(W.shape, W.dtype), b: Tensor.zeros(b.shape, b.dtype) };
    const [fn, c, fh, fw] = W.shape;
    this.colW = Tensor.zeros([c * fh * fw, fn], W.dtype);
    this.dWImage = Tensor.zeros([c * fh * fw, fn], W.dtype);
    this.dWSum = Tensor.zeros([c * fh * fw, fn], W.dtype);
  }

  /** The window over input x of this shape (N×C×H×W), with every shape rule checked. */
  private window(where: string, xShape: readonly number[]): Window {
    const W = this.params.W;
    const kernel = `W is ${formatShape(W.shape)}`;
    if (xShape.length === 4 && xShape[1] !== W.shape[1]) {
      throw new ShapeError(`${where}: x is ${formatShape(xShape)} but ${kernel}, expected x with ${W.shape[1]} channels`);
    }
    return slidingWindow(where, xShape, kernel, W.shape[2], W.shape[3], this.stride, this.pad);
  }

  /** The output shape N×FN×OH×OW for input of shape N×C×H×W, or a ShapeError naming both shapes. */
  outputShape(xShape: readonly number[]): number[] {
    const win = this.window(this.label, xShape);
    return [win.n, this.params.W.shape[0], win.oh, win.ow];
  }

  // out[n,f] = Σ_c W[f,c] ⋆ x[n,c] + b[f], as col·col_W + b
  forward(x: Tensor): Tensor {
    const win = this.window(`${this.label}.forward`, x.shape);
    const { W, b } = this.params;
    const [fn, c, fh, fw] = W.shape;
    const k = c * fh * fw;
    const rows = win.n * win.oh * win.ow;
    const col = reuse(this.col, [rows, k], x.dtype);
    im2col(x.data, win, col.data);
    // col_W[q, f] = W[f, q]
    const cw = this.colW.data;
    for (let f = 0; f < fn; f++) for (let q = 0; q < k; q++) cw[q * fn + f] = W.data[f * k + q];
    const out2 = reuse(this.out2, [rows, fn], x.dtype);
    gemm(false, false, rows, fn, k, col.data, cw, out2.data);
    // rows (n, oh, ow) × FN → N×FN×OH×OW, adding the bias
    const out = reuse(this.out, [win.n, fn, win.oh, win.ow], x.dtype);
    const plane = win.oh * win.ow;
    const o2 = out2.data;
    const od = out.data;
    for (let i = 0; i < win.n; i++) {
      for (let f = 0; f < fn; f++) {
        const bf = b.data[f];
        const dst = (i * fn + f) * plane;
        let src = i * plane * fn + f;
        for (let p = 0; p < plane; p++, src += fn) od[dst + p] = o2[src] + bf;
      }
    }
    this.win = win;
    this.col = col;
    this.out2 = out2;
    this.out = out;
    return out;
  }

  // dx = col2im(dout·W), the adjoint of im2col; dW and db as in backwardParams
  backward(dout: Tensor): Tensor {
    this.backwardParams(dout);
    const win = this.win as Window;
    const W = this.params.W;
    const fn = W.shape[0];
    const k = W.size / fn;
    const rows = win.n * win.oh * win.ow;
    const dcol = reuse(this.dcol, [rows, k], dout.dtype);
    gemm(false, false, rows, k, fn, (this.dout2 as Tensor).data, W.data, dcol.data);
    const dx = reuse(this.dx, [win.n, win.c, win.h, win.w], dout.dtype);
    col2im(dcol.data, win, dx.data);
    this.dcol = dcol;
    this.dx = dx;
    return dx;
  }

  // dW = colᵀ·dout (reshaped to FN×C×FH×FW), db = Σ dout over the batch and the positions
  backwardParams(dout: Tensor): void {
    const win = this.win;
    if (!win) throw new ShapeError(`${this.label}.backward: called before forward`);
    const W = this.params.W;
    const fn = W.shape[0];
    const k = W.size / fn;
    const expected = [win.n, fn, win.oh, win.ow];
    if (!sameShape(dout.shape, expected)) {
      throw new ShapeError(`${this.label}.backward: dout is ${formatShape(dout.shape)}, expected ${formatShape(expected)} like the output`);
    }
    // N×FN×OH×OW → rows (n, oh, ow) × FN, the book's dout.transpose(0, 2, 3, 1).reshape(-1, FN)
    const plane = win.oh * win.ow;
    const rows = win.n * plane;
    const dout2 = reuse(this.dout2, [rows, fn], dout.dtype);
    const gd = dout.data;
    const d2 = dout2.data;
    const db = this.grads.b.data;
    db.fill(0);
    for (let i = 0; i < win.n; i++) {
      for (let f = 0; f < fn; f++) {
        const src = (i * fn + f) * plane;
        let dst = i * plane * fn + f;
        let sum = 0;
        for (let p = 0; p < plane; p++, dst += fn) {
          d2[dst] = gd[src + p];
          sum += gd[src + p];
        }
        db[f] += sum;
      }
    }
    this.dout2 = dout2;
    // dW = colᵀ·dout2: one product on a fast backend; on the plain kernel image by image, so that
    // each product works in cache
    const col = (this.col as Tensor).data;
    const sum = this.dWSum.data;
    if (hasFastKernels(col)) {
      gemm(true, false, k, fn, rows, col, d2, sum);
    } else {
      const part = this.dWImage.data;
      sum.fill(0);
      for (let i = 0; i < win.n; i++) {
        const r0 = i * plane;
        gemm(true, false, k, fn, plane, col.subarray(r0 * k, (r0 + plane) * k), d2.subarray(r0 * fn, (r0 + plane) * fn), part);
        for (let q = 0; q < part.length; q++) sum[q] += part[q];
      }
    }
    // (C·FH·FW)×FN → FN×C×FH×FW
    const dW = this.grads.W.data;
    for (let f = 0; f < fn; f++) for (let q = 0; q < k; q++) dW[f * k + q] = sum[q * fn + f];
  }

  toJSON(): LayerJSON {
    return { type: this.type, W: this.params.W.toArray(), b: this.params.b.toArray(), stride: this.stride, pad: this.pad };
  }
}
