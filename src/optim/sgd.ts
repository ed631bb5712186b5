import { kernelsFor } from '../backend/registry.js';
import type { ParamDict } from '../nets/sequential.js';
import { checkRate, gradientOf, type OptimizerState } from './state.js';

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
    checkRate('SGD', lr);
  }

  // W ← W − lr·dW
  update(params: ParamDict, grads: ParamDict): void {
    for (const [name, param] of Object.entries(params)) {
      const grad = gradientOf('SGD', name, param, grads);
      kernelsFor(param.data).sgd(param.data, grad.data, this.lr);
    }
  }
}
