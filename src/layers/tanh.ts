import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON } from './layer.js';

/**
 * The hyperbolic tangent activation (not a layer of the book, but its readers meet it next):
 * out = tanh(x), whose derivative is 1 − out².
 *
 * @example
 * new Tanh().forward(Tensor.from([[0, 1]])).toArray(); // [[0, 0.7615…]]
 */
export class Tanh implements Layer {
  readonly type = 'Tanh';
  label = 'Tanh';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = tanh(x)
  forward(x: Tensor): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    for (let i = 0; i < out.size; i++) out.data[i] = Math.tanh(x.data[i]);
    this.out = out;
    return out;
  }

  // dx = dout ⊙ (1 − out²)
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    const out = this.out as Tensor;
    const dx = reuse(this.dx, out.shape, out.dtype);
    for (let i = 0; i < dx.size; i++) dx.data[i] = dout.data[i] * (1 - out.data[i] * out.data[i]);
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }
}
