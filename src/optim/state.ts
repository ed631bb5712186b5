import { kernelsFor } from '../backend/registry.js';
import { formatShape, InputError, ShapeError } from '../errors.js';
import type { ParamDict } from '../nets/sequential.js';
import type { FloatArray, Tensor } from '../tensor/tensor.js';

/**
 * Checks a learning rate, and a coefficient (momentum, decay, β) in [0, 1), naming the optimizer.
 *
 * @example
 * checkRate('Momentum', 0.01, 'momentum', 0.9); // fine; 1.0 would throw
 */
export function checkRate(optimizer: string, lr: number, name?: string, value = 0): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`${optimizer}: learning rate is ${lr}, expected a positive number`);
  if (!(value >= 0 && value < 1))
    throw new InputError(`${optimizer}: ${name} is ${value}, expected a number from 0 up to (not including) 1`);
}

/**
 * The gradient of `name`, checked to exist and to fit its parameter.
 *
 * @example
 * const g = gradientOf('Adam', 'W1', params.W1, grads).data;
 */
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
 *
 * @example
 * const v = new ParamState();
 * v.of('W1', 784 * 50); // the same zeroed array on every call for W1
 */
export class ParamState {
  private readonly arrays = new Map<string, Float64Array>();

  /** Every array by parameter name, to save. */
  entries(): [string, Float64Array][] {
    return [...this.arrays.entries()];
  }

  /** Puts saved arrays back (a resumed run continues exactly where it stopped). */
  restore(entries: Iterable<[string, Float64Array]>): void {
    this.arrays.clear();
    for (const [name, a] of entries) this.arrays.set(name, Float64Array.from(a));
  }

  /** The array for `name`, zeroed the first time; `param` says where it is best kept (where its kernels reach it). */
  of(name: string, size: number, param?: FloatArray): Float64Array {
    let a = this.arrays.get(name);
    if (!a || a.length !== size) {
      a = param ? kernelsFor(param).stateArray(size) : new Float64Array(size);
      this.arrays.set(name, a);
    }
    return a;
  }
}

/**
 * Everything an optimizer carries from one update to the next, for a checkpoint: arrays by
 * `state.param` name (`v.W1`, `m.b2`) and numbers (Adam's step count).
 */
export interface OptimizerState {
  arrays: Map<string, Float64Array>;
  scalars: Record<string, number>;
}

/** The arrays of named `ParamState`s as one map: `{v}` gives `v.W1`, `v.b1`, … */
export function saveStates(states: Record<string, ParamState>, scalars: Record<string, number> = {}): OptimizerState {
  const arrays = new Map<string, Float64Array>();
  for (const [key, state] of Object.entries(states))
    for (const [name, a] of state.entries()) arrays.set(`${key}.${name}`, Float64Array.from(a));
  return { arrays, scalars: { ...scalars } };
}

/** Puts a saved `OptimizerState` back into the named `ParamState`s. */
export function restoreStates(states: Record<string, ParamState>, saved: OptimizerState): void {
  for (const [key, state] of Object.entries(states)) {
    const prefix = `${key}.`;
    state.restore([...saved.arrays].filter(([n]) => n.startsWith(prefix)).map(([n, a]) => [n.slice(prefix.length), a]));
  }
}
