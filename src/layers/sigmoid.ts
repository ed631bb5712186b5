import { sigmoid, sigmoidBackward } from '../tensor/backend.js';
import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON } from './layer.js';

/**
 * The sigmoid activation σ(x) = 1 / (1 + e^(−x)); its backward uses the output it kept:
 * σ'(x) = σ(x)(1 − σ(x)).
 *
 * @example
 * new Sigmoid().forward(Tensor.from([[0.9, 0.4]])).toArray(); // [[0.7109…, 0.5986…]]
 */
export class Sigmoid implements Layer {
  readonly type = 'Sigmoid';
  label = 'Sigmoid';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = 1 / (1 + e^(−x))
  forward(x: Tensor): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    sigmoid(x.data, out.data);
    this.out = out;
    return out;
  }

  // dx = dout ⊙ out(1 − out)
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    const out = this.out as Tensor;
    const dx = reuse(this.dx, out.shape, out.dtype);
    sigmoidBackward(out.data, dout.data, dx.data);
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }
}
