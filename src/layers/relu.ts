import { relu } from '../tensor/backend.js';
import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON } from './layer.js';

/**
 * The rectified linear unit: out = max(0, x). The book keeps a mask of x ≤ 0; the output is ≤ 0
 * exactly there, so backward reads it from the output instead. The gradient at exactly 0 is 0.
 *
 * @example
 * new Relu().forward(Tensor.from([[-1, 0, 2]])).toArray(); // [[0, 0, 2]]
 */
export class Relu implements Layer {
  readonly type = 'Relu';
  label = 'Relu';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = max(0, x)
  forward(x: Tensor): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    relu(x.data, undefined, out.data);
    this.out = out;
    return out;
  }

  // dx = dout where x > 0 (where out > 0), else 0
  backward(dout: Tensor): Tensor {
    const shape = checkDout(this.label, dout, this.out?.shape);
    const out = this.out as Tensor;
    const dx = reuse(this.dx, shape, dout.dtype);
    relu(out.data, dout.data, dx.data);
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }
}
