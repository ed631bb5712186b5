import type { Sequential } from '../nets/sequential.js';
import { SGD } from '../optim/sgd.js';
import type { Nested, Tensor } from '../tensor/tensor.js';
import { type Trace, trace } from './trace.js';

/** One SGD step after the pass: the parameters it gives and the loss on the same data after it. */
export interface UpdateStep {
  lr: number;
  /** Parameters after the step, by name (W1, b1, …). */
  params: Record<string, Tensor>;
  lossAfter: number;
}

/** Everything `explain` shows: the named trace of one pass and, with a learning rate, one update. */
export interface Explanation {
  trace: Trace;
  /** The parameter names in order (W1, b1, W2, b2, …). */
  paramNames: string[];
  update?: UpdateStep;
}

/**
 * Explains one forward and backward pass of a network on (x, t), step by step, and with `lr` one
 * SGD step and the loss after it. The network's weights are updated in place when `lr` is given.
 *
 * @example
 * const e = explainPass(modelFromJSON(SEED_MODEL), x, t, 0.1);
 * e.trace.loss;         // 0.6316…
 * e.update?.lossAfter;  // 0.5501…
 */
export function explainPass(net: Sequential, x: Tensor, t: Tensor, lr?: number): Explanation {
  const result = trace(net, x, t);
  const paramNames = Object.keys(net.params);
  if (lr === undefined) return { trace: result, paramNames };
  const grads = net.gradient(x, t, { train: false });
  new SGD(lr).update(net.params, grads);
  const params: Record<string, Tensor> = {};
  for (const name of paramNames) params[name] = net.params[name].clone();
  return { trace: result, paramNames, update: { lr, params, lossAfter: net.loss(x, t) } };
}

/** The explanation as data: each step's name, formula, operands and value. */
export function explanationToJSON(e: Explanation): unknown {
  const update = e.update && {
    lr: e.update.lr,
    params: Object.fromEntries(Object.entries(e.update.params).map(([k, v]) => [k, v.toArray()])),
    lossAfter: e.update.lossAfter,
  };
  return {
    batch: e.trace.batch,
    steps: e.trace.steps.map((s) => ({
      name: s.name,
      phase: s.phase,
      formula: s.formula,
      operands: s.operands,
      value: s.name === 'loss' ? s.value.data[0] : s.value.toArray(),
    })),
    loss: e.trace.loss,
    ...(update ? { update } : {}),
  };
}

/**
 * The worked example's JSON: `{"steps": {name: value}, "update": {"lr", "W1", "b1", …, "loss"}}`,
 * row vectors as 1×n nested arrays, biases and their gradients 1-D, the loss a number.
 */
export function exampleToJSON(e: Explanation): { steps: Record<string, Nested>; update: Record<string, Nested> } {
  const steps: Record<string, Nested> = {};
  for (const step of e.trace.steps) steps[step.name] = step.name === 'loss' ? step.value.data[0] : step.value.toArray();
  const update: Record<string, Nested> = {};
  if (e.update) {
    update.lr = e.update.lr;
    for (const [name, param] of Object.entries(e.update.params)) update[name] = param.toArray();
    update.loss = e.update.lossAfter;
  }
  return { steps, update };
}
