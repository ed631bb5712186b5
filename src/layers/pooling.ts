import { formatShape, InputError, ShapeError } from '../errors.js';
import { slidingWindow, type Window } from '../tensor/im2col.js';
import { reuse, sameShape, type Tensor } from '../tensor/tensor.js';
import type { Layer, LayerJSON } from './layer.js';

/**
 * The book's max pooling: the largest value of each poolH×poolW window, per channel, windows
 * `stride` apart. As in the book (which pads with zeros before im2col), padded cells count as 0
 * in the max. The windows are walked directly rather than through im2col: each one is read once,
 * and the position of its maximum (the first, in row-major order, as np.argmax) is kept for backward.
 *
 * @example
 * const pool = new Pooling(2, 2, 2); // the book's default stride is 2
 * pool.forward(x).shape; // x 100×30×24×24 → [100, 30, 12, 12]
 */
export class Pooling implements Layer {
  readonly type = 'Pooling';
  label = 'Pooling';
  readonly params = {};
  readonly grads = {};
  private win: Window | undefined;
  /** For each output, the flat index into x of its maximum, or −1 when the maximum was padding. */
  private argmax = new Int32Array(0);
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(
    readonly poolH: number,
    readonly poolW: number,
    readonly stride = 2,
    readonly pad = 0,
  ) {
    for (const [name, value, min] of [
      ['poolH', poolH, 1],
      ['poolW', poolW, 1],
      ['stride', stride, 1],
      ['pad', pad, 0],
    ] as const) {
      if (!Number.isInteger(value) || value < min)
        throw new InputError(`${this.label}: ${name} is ${value}, expected a whole number ≥ ${min}`);
    }
  }

  private window(where: string, xShape: readonly number[]): Window {
    return slidingWindow(where, xShape, `the window is ${this.poolH}×${this.poolW}`, this.poolH, this.poolW, this.stride, this.pad);
  }

  /** The output shape N×C×OH×OW for input of shape N×C×H×W, or a ShapeError naming both shapes. */
  outputShape(xShape: readonly number[]): number[] {
    const win = this.window(this.label, xShape);
    return [win.n, win.c, win.oh, win.ow];
  }

  // out[n,c,i,j] = max over the window at (i·stride − pad, j·stride − pad)
  forward(x: Tensor): Tensor {
    const win = this.window(`${this.label}.forward`, x.shape);
    const { n, c, h, w, fh, fw, stride, pad, oh, ow } = win;
    const out = reuse(this.out, [n, c, oh, ow], x.dtype);
    if (this.argmax.length !== out.size) this.argmax = new Int32Array(out.size);
    const xd = x.data;
    const od = out.data;
    const argmax = this.argmax;
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let ky = 0; ky < fh; ky++) {
            const iy = i * stride + ky - pad;
            for (let kx = 0; kx < fw; kx++) {
              const ix = j * stride + kx - pad;
              const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              const v = inside ? xd[base + iy * w + ix] : 0;
              if (v > best) {
                best = v;
                at = inside ? base + iy * w + ix : -1;
              }
            }
          }
          od[o] = best;
          argmax[o] = at;
        }
      }
    }
    this.win = win;
    this.out = out;
    return out;
  }

  // dx = dout routed to the position of each window's maximum (overlapping windows sum)
  backward(dout: Tensor): Tensor {
    const win = this.win;
    if (!win) throw new ShapeError(`${this.label}.backward: called before forward`);
    const expected = [win.n, win.c, win.oh, win.ow];
    if (!sameShape(dout.shape, expected)) {
      throw new ShapeError(`${this.label}.backward: dout is ${formatShape(dout.shape)}, expected ${formatShape(expected)} like the output`);
    }
    const dx = reuse(this.dx, [win.n, win.c, win.h, win.w], dout.dtype);
    const dd = dx.data;
    dd.fill(0);
    const gd = dout.data;
    const argmax = this.argmax;
    for (let o = 0; o < gd.length; o++) if (argmax[o] >= 0) dd[argmax[o]] += gd[o];
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type, poolH: this.poolH, poolW: this.poolW, stride: this.stride, pad: this.pad };
  }
}
