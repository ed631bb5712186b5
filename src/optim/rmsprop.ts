import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { checkRate, gradientOf, type OptimizerState, ParamState, restoreStates, saveStates } from './state.js';

/**
 * The book's RMSprop: AdaGrad with a forgetting sum, h ← decay·h + (1 − decay)·(∂L/∂W)²,
 * W ← W − lr·∂L/∂W/(√h + 1e-7) (the book's 1e-7).
 *
 * @example
 * new RMSprop(0.01, 0.99).update(net.params, net.gradient(x, t));
 */
export class RMSprop implements Optimizer {
  private readonly h = new ParamState();

  constructor(
    readonly lr = 0.01,
    readonly decayRate = 0.99,
  ) {
    checkRate('RMSprop', lr, 'decay rate', decayRate);
  }

  // h ← decay·h + (1 − decay)·dW⊙dW; W ← W − lr·dW/(√h + 1e-7)
  update(params: ParamDict, grads: ParamDict): void {
    const d = this.decayRate;
    for (const [name, param] of Object.entries(params)) {
      const g = gradientOf('RMSprop', name, param, grads).data;
      const p = param.data;
      const h = this.h.of(name, p.length);
      for (let i = 0; i < p.length; i++) {
        h[i] = d * h[i] + (1 - d) * g[i] * g[i];
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
