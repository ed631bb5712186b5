import { formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import { intsAttribute, type OnnxForm } from '../io/onnx-graph.js';
import { col2im, im2col, slidingWindow, type Window } from '../tensor/im2col.js';
import { matmul } from '../tensor/ops.js';
import { ANY, checkElements, reuse, Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerContext, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, shown } from './steps.js';

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
  static readonly type = 'Convolution';
  readonly type = Convolution.type;
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
  /** dW as (C·FH·FW)×FN, before it is laid out as FN×C×FH×FW. */
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
    this.dWSum = Tensor.zeros([c * fh * fw, fn], W.dtype);
  }

  /** The window over input x of this shape (N×C×H×W), with every shape rule checked. */
  private window(where: string, xShape: Shape, from = 'the input'): Window {
    const W = this.params.W;
    const kernel = `W is ${formatShape(W.shape)}`;
    if (xShape.length === 4 && xShape[1] !== ANY && xShape[1] !== W.shape[1]) {
      // before the data is known only the channels are: say where they come from
      if (xShape[2] === ANY || xShape[3] === ANY)
        throw new ShapeError(`${where}: ${kernel} but ${from} gives ${xShape[1]} channels, expected W with ${xShape[1]} channels`);
      throw new ShapeError(`${where}: x is ${formatShape(xShape)} but ${kernel}, expected x with ${W.shape[1]} channels`);
    }
    const win = slidingWindow(where, xShape, kernel, W.shape[2], W.shape[3], this.stride, this.pad);
    // im2col's rows: one a window of each image, C·FH·FW long
    if (win.oh !== ANY && win.ow !== ANY)
      checkElements(
        Math.max(win.n, 1) * win.oh * win.ow * (W.size / W.shape[0]),
        `${where}: x is ${formatShape(xShape)} but ${kernel}: its im2col`,
      );
    return win;
  }

  /** The output shape N×FN×OH×OW for input of shape N×C×H×W, or a ShapeError naming both shapes. */
  outputShape(xShape: Shape, from?: string): Shape {
    const win = this.window(this.label, xShape, from);
    return [win.n, this.params.W.shape[0], win.oh, win.ow];
  }

  /** N×C×H×W with C the filters' channels, any H×W the filters fit. */
  inputShape(): Shape {
    return [ANY, this.params.W.shape[1], ANY, ANY];
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
    const out2 = matmul(col, this.colW, { out: this.out2 });
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
    this.dcol = matmul(this.dout2 as Tensor, W.reshape([fn, k]), { out: this.dcol });
    const dcol = this.dcol;
    const dx = reuse(this.dx, [win.n, win.c, win.h, win.w], dout.dtype);
    col2im(dcol.data, win, dx.data);
    this.dx = dx;
    return dx;
  }

  // dW = colᵀ·dout (reshaped to FN×C×FH×FW), db = Σ dout over the batch and the positions
  backwardParams(dout: Tensor): void {
    checkDout(this.label, dout, this.out?.shape);
    const win = this.win as Window;
    const W = this.params.W;
    const fn = W.shape[0];
    const k = W.size / fn;
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
    // dW = colᵀ·dout2, a sum over the batch's rows that runs image by image (kBlock): a kernel may
    // take it one image at a time, each image's product in cache
    const sum = matmul(this.col as Tensor, dout2, { transA: true, out: this.dWSum, kBlock: plane }).data;
    // (C·FH·FW)×FN → FN×C×FH×FW
    const dW = this.grads.W.data;
    for (let f = 0; f < fn; f++) for (let q = 0; q < k; q++) dW[f * k + q] = sum[q * fn + f];
  }

  toJSON(): LayerJSON {
    return { type: this.type, W: this.params.W.toArray(), b: this.params.b.toArray(), stride: this.stride, pad: this.pad };
  }

  /** Its JSON form by example (W is FN×C×FH×FW), and the shape of an input batch it takes. */
  static readonly example = {
    json: {
      type: 'Convolution',
      W: [
        [
          [
            [0.1, -0.2],
            [0.3, 0.1],
          ],
        ],
        [
          [
            [-0.1, 0.2],
            [0.05, 0.3],
          ],
        ],
      ],
      b: [0.1, -0.05],
      stride: 1,
      pad: 1,
    },
    input: [2, 1, 3, 3],
  };

  static fromJSON(json: JsonFields, { dtype }: LayerContext): Convolution {
    return new Convolution(
      json.tensor('W', 4, dtype),
      json.tensor('b', 1, dtype),
      json.number('stride', { whole: true, min: 1, fallback: 1 }),
      json.number('pad', { whole: true, min: 0, fallback: 0 }),
    );
  }

  // the k-th layer with weights, as an Affine: its output zk, its filters Wk and biases bk
  static readonly steps: LayerSteps = {
    output: 'z',
    forward: [{ kind: shown('conv(', op(0), ', ', op(1), ') + ', op(2)), reads: ['x', 'W', 'b'] }],
    backward: [
      { of: 'W', kind: shown('im2col(', op(0), ')ᵀ·', op(1)), reads: ['x', 'dout'] },
      { of: 'b', kind: shown('Σ ', op(0), ' over N, H, W'), reads: ['dout'] },
      { of: 'x', kind: shown('col2im(', op(0), '·', op(1, true), ')'), reads: ['dout', 'W'] },
    ],
  };

  static readonly onnx: OnnxForm<Convolution> = {
    export(layer, g, path, prefix) {
      const { W, b } = layer.params;
      if (g.current.rank !== 4)
        throw new InputError(`${path}: a Convolution after a layer that flattens its input cannot be exported, expected it on N×C×H×W`);
      const { stride, pad } = layer;
      g.op(
        'Conv',
        [g.constant(`${prefix}.W`, W.shape, W.data), g.constant(`${prefix}.b`, b.shape, b.data)],
        [
          intsAttribute('kernel_shape', W.shape.slice(2)),
          intsAttribute('strides', [stride, stride]),
          intsAttribute('pads', [pad, pad, pad, pad]),
        ],
        4,
      );
    },
  };
}
