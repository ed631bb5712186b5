import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { checkRate, gradientOf, type OptimizerState, ParamState, restoreStates, saveStates } from './state.js';

/**
 * The book's Nesterov accelerated gradient (common/optimizer.py), Momentum that looks one step
 * ahead, written as an update of W itself: v ← momentum·v − lr·∂L/∂W,
 * W ← W + momentum²·v − (1 + momentum)·lr·∂L/∂W.
 *
 * @example
 * new Nesterov(0.01, 0.9).update(net.params, net.gradient(x, t));
 */
export class Nesterov implements Optimizer {
  private readonly v = new ParamState();

  constructor(
    readonly lr = 0.01,
    readonly momentum = 0.9,
  ) {
    checkRate('Nesterov', lr, 'momentum', momentum);
  }

  // v ← momentum·v − lr·dW; W ← W + momentum²·v − (1 + momentum)·lr·dW
  update(params: ParamDict, grads: ParamDict): void {
    const m = this.momentum;
    for (const [name, param] of Object.entries(params)) {
      const g = gradientOf('Nesterov', name, param, grads).data;
      const p = param.data;
      const v = this.v.of(name, p.length);
      for (let i = 0; i < p.length; i++) {
        v[i] = m * v[i] - this.lr * g[i];
        p[i] += m * m * v[i] - (1 + m) * this.lr * g[i];
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
