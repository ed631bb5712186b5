import { InputError } from '../errors.js';
import type { ParamDict } from '../nets/sequential.js';
import type { Optimizer } from './sgd.js';
import { gradientOf, ParamState } from './state.js';

/** Checks a learning rate and a coefficient in [0, 1), naming the optimizer. */
export function checkRate(optimizer: string, lr: number, name: string, value: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`${optimizer}: learning rate is ${lr}, expected a positive number`);
  if (!(value >= 0 && value < 1))
    throw new InputError(`${optimizer}: ${name} is ${value}, expected a number from 0 up to (not including) 1`);
}

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
}
