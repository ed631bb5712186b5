import { kernelsFor } from '../backend/registry.js';
import { InputError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import { intsAttribute, type OnnxForm } from '../io/onnx-graph.js';
import { slidingWindow, type Window } from '../tensor/im2col.js';
import { ANY, reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, shown } from './steps.js';

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
  static readonly type = 'Pooling';
  readonly type = Pooling.type;
  label = 'Pooling';
  readonly params = {};
  readonly grads = {};
  private win: Window | undefined;
  /** For each output, the flat index into x of its maximum, or −1 when the maximum was padding. */
  private argmax: Int32Array = new Int32Array(0);
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
    // more padding than half the window makes windows of padding alone (PyTorch's rule too)
    const most = Math.floor(Math.min(poolH, poolW) / 2);
    if (pad > most)
      throw new InputError(
        `${this.label}: pad is ${pad} but the window is ${poolH}×${poolW}, expected a pad of at most half the window (${most})`,
      );
  }

  private window(where: string, xShape: readonly number[]): Window {
    return slidingWindow(where, xShape, `the window is ${this.poolH}×${this.poolW}`, this.poolH, this.poolW, this.stride, this.pad);
  }

  /** N×C×H×W of any sizes the window fits. */
  inputShape(): Shape {
    return [ANY, ANY, ANY, ANY];
  }

  /** The output shape N×C×OH×OW for input of shape N×C×H×W, or a ShapeError naming both shapes. */
  outputShape(xShape: Shape): Shape {
    const win = this.window(this.label, xShape);
    return [win.n, win.c, win.oh, win.ow];
  }

  // out[n,c,i,j] = max over the window at (i·stride − pad, j·stride − pad)
  forward(x: Tensor): Tensor {
    const win = this.window(`${this.label}.forward`, x.shape);
    const out = reuse(this.out, [win.n, win.c, win.oh, win.ow], x.dtype);
    const kernels = kernelsFor(out.data);
    if (this.argmax.length !== out.size) this.argmax = kernels.indexArray(out.size);
    kernels.maxPool(x.data, win, out.data, this.argmax);
    this.win = win;
    this.out = out;
    return out;
  }

  // dx = dout routed to the position of each window's maximum (overlapping windows sum)
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    const win = this.win as Window;
    const dx = reuse(this.dx, [win.n, win.c, win.h, win.w], dout.dtype);
    kernelsFor(dx.data).maxPoolBackward(dout.data, this.argmax, dx.data);
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type, poolH: this.poolH, poolW: this.poolW, stride: this.stride, pad: this.pad };
  }

  /** Its JSON form by example, and the shape of an input batch it takes (pad counts as 0 in the max). */
  static readonly example = { json: { type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 0 }, input: [2, 2, 4, 4] };

  static fromJSON(json: JsonFields): Pooling {
    return new Pooling(
      json.number('poolH', { whole: true, min: 1 }),
      json.number('poolW', { whole: true, min: 1 }),
      json.number('stride', { whole: true, min: 1, fallback: 2 }),
      json.number('pad', { whole: true, min: 0, fallback: 0 }),
    );
  }

  // its output is p1, p2, …; its steps are shown with the values backprop computes
  static readonly steps: LayerSteps = {
    output: 'p',
    forward: [{ kind: shown('maxpool(', op(0), ')'), reads: ['x'] }],
    backward: [{ of: 'x', kind: shown('Pooling.backward(', op(0), ')'), reads: ['dout'] }],
  };

  // MaxPool: the same without padding only, for MaxPool pads with −∞ and the book with 0
  static readonly onnx: OnnxForm<Pooling> = {
    export(layer, g, path) {
      if (layer.pad !== 0)
        throw new InputError(
          `${path}: Pooling with pad ${layer.pad} cannot be exported (MaxPool pads with −∞, the book with 0), expected pad 0`,
        );
      if (g.current.rank !== 4)
        throw new InputError(`${path}: a Pooling after a layer that flattens its input cannot be exported, expected it on N×C×H×W`);
      const { poolH, poolW, stride } = layer;
      g.op(
        'MaxPool',
        [],
        [intsAttribute('kernel_shape', [poolH, poolW]), intsAttribute('strides', [stride, stride]), intsAttribute('pads', [0, 0, 0, 0])],
        4,
      );
    },
  };
}
