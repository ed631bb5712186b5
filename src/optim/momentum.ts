import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { checkRate, gradientOf, type OptimizerState, ParamState, restoreStates, saveStates } from './state.js';

/**
 * The book's Momentum: a velocity that gathers the gradients, v ← momentum·v − lr·∂L/∂W, W ← W + v.
 *
 * @example
 * const opt = new Momentum(0.01, 0.9);
 * opt.update(net.params, net.gradient(x, t));
 */
export class Momentum implements Optimizer {
  private readonly v = new ParamState();

  constructor(
    readonly lr = 0.01,
    readonly momentum = 0.9,
  ) {
    checkRate('Momentum', lr, 'momentum', momentum);
  }

  // v ← momentum·v − lr·dW; W ← W + v
  update(params: ParamDict, grads: ParamDict): void {
    for (const [name, param] of Object.entries(params)) {
      const g = gradientOf('Momentum', name, param, grads).data;
      const p = param.data;
      const v = this.v.of(name, p.length);
      for (let i = 0; i < p.length; i++) {
        v[i] = this.momentum * v[i] - this.lr * g[i];
        p[i] += v[i];
      }
    }
  }

  saveState(): OptimizerState {
    return saveStates({ v: this.v });
  }

  restoreState(state: OptimizerState): void {
    restoreStates({ v: this.v }, state);
  }
}
