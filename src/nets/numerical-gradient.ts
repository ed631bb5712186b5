import { formatShape, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The gradient of f with respect to `param` by central differences, (f(p + h) − f(p − h)) / 2h
 * for every element, perturbing `param` in place and restoring it. Use float64 parameters: in
 * float32 the difference drowns in rounding.
 *
 * @example
 * const p = Tensor.from([3]);
 * numericalGradient(() => p.data[0] ** 2, p).data[0]; // ≈ 6
 */
export function numericalGradient(f: () => number, param: Tensor, h = 1e-4): Tensor {
  const grad = Tensor.zeros(param.shape, 'float64');
  const p = param.data;
  for (let i = 0; i < p.length; i++) {
    const saved = p[i];
    p[i] = saved + h;
    const fPlus = f();
    p[i] = saved - h;
    const fMinus = f();
    p[i] = saved;
    grad.data[i] = (fPlus - fMinus) / (2 * h);
  }
  return grad;
}

/** How far apart two gradients are. */
export interface GradientDifference {
  /** max |a − b| over the elements. */
  maxAbs: number;
  /** ‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are zero: insensitive to the scale of the gradient. */
  relative: number;
}

/**
 * Compares a backprop gradient with a numerical one.
 *
 * @example
 * compareGradients(Tensor.from([1, 2]), Tensor.from([1, 2.000001])).relative; // ≈ 2.2e-7
 */
export function compareGradients(a: Tensor, b: Tensor): GradientDifference {
  if (a.size !== b.size) {
    throw new ShapeError(`compareGradients: a is ${formatShape(a.shape)} but b is ${formatShape(b.shape)}, expected equal shapes`);
  }
  let maxAbs = 0;
  let diff2 = 0;
  let a2 = 0;
  let b2 = 0;
  for (let i = 0; i < a.size; i++) {
    const d = a.data[i] - b.data[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
    diff2 += d * d;
    a2 += a.data[i] * a.data[i];
    b2 += b.data[i] * b.data[i];
  }
  const denominator = Math.sqrt(a2) + Math.sqrt(b2);
  return { maxAbs, relative: denominator === 0 ? 0 : Math.sqrt(diff2) / denominator };
}
