import { formatShape, ShapeError } from '../errors.js';
import { matmul, sumRows } from '../tensor/ops.js';
import { Tensor } from '../tensor/tensor.js';
import type { Layer, LayerJSON } from './layer.js';

/**
 * The fully connected layer: out = x·W + b, with W of inputs × outputs.
 * Input with more than two axes (N×C×H×W) is read as N×(C·H·W), as in the book.
 *
 * @example
 * const affine = new Affine(Tensor.from([[0.1, -0.2], [0.4, 0.3]]), Tensor.from([0, 0]));
 * affine.forward(Tensor.from([[1, 2]])).toArray(); // [[0.9, 0.4]]
 */
export class Affine implements Layer {
  readonly type = 'Affine';
  label = 'Affine';
  readonly params: { W: Tensor; b: Tensor };
  readonly grads: { W: Tensor; b: Tensor };
  private x: Tensor | undefined;
  private originalShape: readonly number[] = [];
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(W: Tensor, b: Tensor) {
    if (W.rank !== 2) throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)}, expected a matrix of inputs × outputs`);
    if (b.rank !== 1 || b.size !== W.shape[1]) {
      throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)} but b is ${formatShape(b.shape)}, expected b of ${W.shape[1]}`);
    }
    this.params = { W, b };
    this.grads = { W: Tensor.zeros(W.shape, W.dtype), b: Tensor.zeros(b.shape, b.dtype) };
  }

  // out = x·W + b
  forward(x: Tensor): Tensor {
    const W = this.params.W;
    if (x.rank < 2) throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)}, expected a batch N×${W.shape[0]}`);
    const x2 = x.rank === 2 ? x : x.reshape([x.shape[0], -1]);
    if (x2.shape[1] !== W.shape[0]) {
      throw new ShapeError(
        `${this.label}.forward: x is ${formatShape(x.shape)} but W is ${formatShape(W.shape)}, expected x to have ${W.shape[0]} features`,
      );
    }
    this.originalShape = x.shape;
    this.x = x2;
    this.out = matmul(x2, W, { out: this.out, bias: this.params.b });
    return this.out;
  }

  // dW = xᵀ·dout, db = Σ dout over the batch, dx = dout·Wᵀ
  backward(dout: Tensor): Tensor {
    this.backwardParams(dout);
    this.dx = matmul(dout, this.params.W, { transB: true, out: this.dx });
    return this.dx.reshape(this.originalShape);
  }

  // dW = xᵀ·dout, db = Σ dout over the batch
  backwardParams(dout: Tensor): void {
    const { x } = this;
    if (!x) throw new ShapeError(`${this.label}.backward: called before forward`);
    const W = this.params.W;
    if (dout.rank !== 2 || dout.shape[0] !== x.shape[0] || dout.shape[1] !== W.shape[1]) {
      throw new ShapeError(
        `${this.label}.backward: dout is ${formatShape(dout.shape)}, expected ${x.shape[0]}×${W.shape[1]} like the output`,
      );
    }
    matmul(x, dout, { transA: true, out: this.grads.W });
    sumRows(dout, this.grads.b);
  }

  toJSON(): LayerJSON {
    return { type: this.type, W: this.params.W.toArray(), b: this.params.b.toArray() };
  }
}
