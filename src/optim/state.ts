import { formatShape, ShapeError } from '../errors.js';
import type { ParamDict } from '../nets/sequential.js';
import type { Tensor } from '../tensor/tensor.js';

/** The gradient of `name`, checked to exist and to fit its parameter. */
export function gradientOf(optimizer: string, name: string, param: Tensor, grads: ParamDict): Tensor {
  const grad = grads[name];
  if (!grad) throw new ShapeError(`${optimizer}.update: no gradient for ${name}`);
  if (grad.size !== param.size) {
    throw new ShapeError(`${optimizer}.update: ${name} is ${formatShape(param.shape)} but its gradient is ${formatShape(grad.shape)}`);
  }
  return grad;
}

/**
 * An optimizer's per-parameter state (the book's `self.v`, `self.h`, `self.m` dictionaries): one
 * Float64Array per parameter name, allocated zeroed on the first update and kept after that.
 */
export class ParamState {
  private readonly arrays = new Map<string, Float64Array>();

  of(name: string, size: number): Float64Array {
    let a = this.arrays.get(name);
    if (!a || a.length !== size) {
      a = new Float64Array(size);
      this.arrays.set(name, a);
    }
    return a;
  }
}
