import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON } from './layer.js';

/**
 * The rectified linear unit: out = max(0, x). Like the book it keeps a mask of x ≤ 0, and the
 * gradient at exactly 0 is 0.
 *
 * @example
 * new Relu().forward(Tensor.from([[-1, 0, 2]])).toArray(); // [[0, 0, 2]]
 */
export class Relu implements Layer {
  readonly type = 'Relu';
  label = 'Relu';
  readonly params = {};
  readonly grads = {};
  /** 1 where x ≤ 0: those units pass neither value nor gradient. */
  private mask = new Uint8Array(0);
  private shape: readonly number[] | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = max(0, x)
  forward(x: Tensor): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    if (this.mask.length !== x.size) this.mask = new Uint8Array(x.size);
    const xd = x.data;
    const od = out.data;
    const mask = this.mask;
    for (let i = 0; i < xd.length; i++) {
      const off = xd[i] <= 0;
      mask[i] = off ? 1 : 0;
      od[i] = off ? 0 : xd[i];
    }
    this.shape = x.shape;
    this.out = out;
    return out;
  }

  // dx = dout where x > 0, else 0 (dout itself is left as it is)
  backward(dout: Tensor): Tensor {
    const shape = checkDout(this.label, dout, this.shape);
    const dx = reuse(this.dx, shape, dout.dtype);
    const gd = dout.data;
    const mask = this.mask;
    for (let i = 0; i < gd.length; i++) dx.data[i] = mask[i] ? 0 : gd[i];
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }
}
