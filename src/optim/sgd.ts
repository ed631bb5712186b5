import { formatShape, InputError, ShapeError } from '../errors.js';
import type { ParamDict } from '../nets/sequential.js';
import { sgdStep } from '../tensor/backend.js';
import type { OptimizerState } from './state.js';

/** Something that updates parameters in place from their gradients. */
export interface Optimizer {
  update(params: ParamDict, grads: ParamDict): void;
  /** What the optimizer carries between updates (none for SGD), for checkpoints. */
  saveState?(): OptimizerState;
  restoreState?(state: OptimizerState): void;
}

/**
 * Stochastic gradient descent: W ← W − lr·∂L/∂W for every parameter.
 *
 * @example
 * const sgd = new SGD(0.1);
 * sgd.update(net.params, net.gradient(x, t));
 */
export class SGD implements Optimizer {
  constructor(readonly lr = 0.01) {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`SGD: learning rate is ${lr}, expected a positive number`);
  }

  // W ← W − lr·dW
  update(params: ParamDict, grads: ParamDict): void {
    for (const [name, param] of Object.entries(params)) {
      const grad = grads[name];
      if (!grad) throw new ShapeError(`SGD.update: no gradient for ${name}`);
      if (grad.size !== param.size) {
        throw new ShapeError(`SGD.update: ${name} is ${formatShape(param.shape)} but its gradient is ${formatShape(grad.shape)}`);
      }
      const p = param.data;
      const g = grad.data;
      if (sgdStep(p, g, this.lr)) continue; // the same step on the fast backend
      for (let i = 0; i < p.length; i++) p[i] -= this.lr * g[i];
    }
  }
}
