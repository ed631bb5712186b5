import { kernelsFor } from '../backend/registry.js';
import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { checkRate, gradientOf, type OptimizerState, ParamState, restoreStates, saveStates } from './state.js';

/**
 * The book's Adam: running means of the gradient (m) and of its square (v),
 * m ← m + (1 − β1)(∂L/∂W − m), v ← v + (1 − β2)((∂L/∂W)² − v), W ← W − lr_t·m/(√v + 1e-7).
 *
 * Like the book, the bias correction of m and v is folded into the learning rate,
 * lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), and 1e-7 is added to √v (not to the corrected √v̂ as in the
 * paper): the steps are the book's, which differ slightly from the paper's ε placement.
 *
 * @example
 * const adam = new Adam(0.001);
 * adam.update(net.params, net.gradient(x, t));
 */
export class Adam implements Optimizer {
  private readonly m = new ParamState();
  private readonly v = new ParamState();
  /** Updates done so far (the t of β1ᵗ, β2ᵗ). */
  private iter = 0;

  constructor(
    readonly lr = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
  ) {
    checkRate('Adam', lr, 'beta1', beta1);
    checkRate('Adam', lr, 'beta2', beta2);
  }

  // lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ); m ← m + (1 − β1)(dW − m); v ← v + (1 − β2)(dW² − v); W ← W − lr_t·m/(√v + 1e-7)
  update(params: ParamDict, grads: ParamDict): void {
    this.iter++;
    const { beta1, beta2 } = this;
    const lrT = (this.lr * Math.sqrt(1 - beta2 ** this.iter)) / (1 - beta1 ** this.iter);
    for (const [name, param] of Object.entries(params)) {
      const g = gradientOf('Adam', name, param, grads).data;
      const p = param.data;
      const m = this.m.of(name, p.length, p);
      const v = this.v.of(name, p.length, p);
      kernelsFor(p).adam(p, g, m, v, lrT, beta1, beta2);
    }
  }

  saveState(): OptimizerState {
    return saveStates({ m: this.m, v: this.v }, { iter: this.iter });
  }

  restoreState(state: OptimizerState): void {
    restoreStates({ m: this.m, v: this.v }, state);
    this.iter = state.scalars.iter ?? 0;
  }
}
