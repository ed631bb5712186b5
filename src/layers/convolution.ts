import { kernelsFor } from '../backend/registry.js';
import { formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import { intsAttribute, type OnnxForm } from '../io/onnx-graph.js';
import { slidingWindow, type Window } from '../tensor/im2col.js';
import { ANY, checkElements, type FloatArray, reuse, Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerContext, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, shown } from './steps.js';

/**
 * The book's convolution layer: FN filters W (FN×C×FH×FW) and biases b (FN) slide over
 * x (N×C×H×W) with a stride and zero padding, giving N×FN×OH×OW with
 * OH = (H + 2·pad − FH)/stride + 1 (likewise OW). Computed as the book does, by im2col and a
 * matrix product, taken image by image so that each product lands where it belongs: image n's
 * output, FN×(OH·OW), is [W | b]·col_nᵀ, with the filters as rows and a column of ones ending each
 * row of col (the bias, added last as in the book's col·col_W + b). Its backward is two products
 * an image too, dout_n·col_n for [dW | db] and dout_nᵀ·[W | b] for col2im: nothing is transposed
 * or reordered in between.
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
  /** im2col of the input, each row ending with a 1: (N·OH·OW)×(C·FH·FW + 1). */
  private col: Tensor | undefined;
  /** [W | b]: the filters as rows FN×(C·FH·FW), the biases as the last column; refreshed on every forward. */
  private Wb: Tensor;
  private out: Tensor | undefined;
  /** [dW | db], summed image by image, and one image's share of it. */
  private dWb: Tensor;
  private dWbImage: Tensor;
  private dcol: Tensor | undefined;
  private dx: Tensor | undefined;

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
    const k = c * fh * fw + 1;
    this.Wb = Tensor.zeros([fn, k], W.dtype);
    this.dWb = Tensor.zeros([fn, k], W.dtype);
    this.dWbImage = Tensor.zeros([fn, k], W.dtype);
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

  // out[n,f] = Σ_c W[f,c] ⋆ x[n,c] + b[f]: image n's output is [W | b]·col_nᵀ
  forward(x: Tensor): Tensor {
    const win = this.window(`${this.label}.forward`, x.shape);
    const { W, b } = this.params;
    const fn = W.shape[0];
    const k = W.size / fn;
    const plane = win.oh * win.ow;
    const col = reuse(this.col, [win.n * plane, k + 1], x.dtype);
    kernelsFor(col.data).im2col(x.data, win, col.data, true);
    const wb = this.Wb.data;
    for (let f = 0; f < fn; f++) {
      wb.set(W.data.subarray(f * k, (f + 1) * k), f * (k + 1));
      wb[f * (k + 1) + k] = b.data[f];
    }
    const out = reuse(this.out, [win.n, fn, win.oh, win.ow], x.dtype);
    const kernels = kernelsFor(out.data);
    for (let i = 0; i < win.n; i++) {
      kernels.gemm({
        a: wb,
        b: image(col.data, i, plane * (k + 1)),
        c: image(out.data, i, fn * plane),
        m: fn,
        n: plane,
        k: k + 1,
        transB: true,
      });
    }
    this.win = win;
    this.col = col;
    this.out = out;
    return out;
  }

  // dx = col2im(dout·W), the adjoint of im2col, image by image dout_nᵀ·[W | b] (whose last
  // column, the bias's, col2im leaves out); dW and db as in backwardParams
  backward(dout: Tensor): Tensor {
    this.backwardParams(dout);
    const win = this.win as Window;
    const fn = this.Wb.shape[0];
    const k = this.Wb.shape[1];
    const plane = win.oh * win.ow;
    const dcol = reuse(this.dcol, [win.n * plane, k], dout.dtype);
    const kernels = kernelsFor(dcol.data);
    for (let i = 0; i < win.n; i++) {
      kernels.gemm({
        a: image(dout.data, i, fn * plane),
        b: this.Wb.data,
        c: image(dcol.data, i, plane * k),
        m: plane,
        n: k,
        k: fn,
        transA: true,
      });
    }
    const dx = reuse(this.dx, [win.n, win.c, win.h, win.w], dout.dtype);
    kernels.col2im(dcol.data, win, dx.data, true);
    this.dcol = dcol;
    this.dx = dx;
    return dx;
  }

  // [dW | db] = Σ over the images of dout_n·col_n (FN×OH·OW times OH·OW×(C·FH·FW + 1)): the column
  // of ones sums dout over the positions, db; the sum runs image by image, each image's product
  // added to the total
  backwardParams(dout: Tensor): void {
    checkDout(this.label, dout, this.out?.shape);
    const win = this.win as Window;
    const fn = this.Wb.shape[0];
    const k = this.Wb.shape[1];
    const plane = win.oh * win.ow;
    const col = (this.col as Tensor).data;
    const sum = this.dWb.data;
    const part = this.dWbImage.data;
    const kernels = kernelsFor(sum);
    for (let i = 0; i < win.n; i++) {
      kernels.gemm({ a: image(dout.data, i, fn * plane), b: image(col, i, plane * k), c: i === 0 ? sum : part, m: fn, n: k, k: plane });
      if (i > 0) for (let q = 0; q < sum.length; q++) sum[q] += part[q];
    }
    const dW = this.grads.W.data;
    const db = this.grads.b.data;
    for (let f = 0; f < fn; f++) {
      dW.set(sum.subarray(f * k, f * k + k - 1), f * (k - 1));
      db[f] = sum[f * k + k - 1];
    }
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

/** Image i's part of a batch stored image after image, `size` values each. */
const image = (data: FloatArray, i: number, size: number): FloatArray => data.subarray(i * size, (i + 1) * size);
