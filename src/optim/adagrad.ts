import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { checkRate, gradientOf, type OptimizerState, ParamState, restoreStates, saveStates } from './state.js';

/**
 * The book's AdaGrad: each weight's step shrinks with the sum of its squared gradients,
 * h ← h + (∂L/∂W)², W ← W − lr·∂L/∂W/(√h + 1e-7). The 1e-7, as in the book, keeps the first
 * step finite where h is 0.
 *
 * @example
 * new AdaGrad(0.01).update(net.params, net.gradient(x, t));
 */
export class AdaGrad implements Optimizer {
  private readonly h = new ParamState();

  constructor(readonly lr = 0.01) {
    checkRate('AdaGrad', lr);
  }

  // h ← h + dW⊙dW; W ← W − lr·dW/(√h + 1e-7)
  update(params: ParamDict, grads: ParamDict): void {
    for (const [name, param] of Object.entries(params)) {
      const g = gradientOf('AdaGrad', name, param, grads).data;
      const p = param.data;
      const h = this.h.of(name, p.length);
      for (let i = 0; i < p.length; i++) {
        h[i] += g[i] * g[i];
        p[i] -= (this.lr * g[i]) / (Math.sqrt(h[i]) + 1e-7);
      }
    }
  }

  saveState(): OptimizerState {
    return saveStates({ h: this.h });
  }

  restoreState(state: OptimizerState): void {
    restoreStates({ h: this.h }, state);
  }
}
