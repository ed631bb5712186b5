import { dataFromJSON, modelFromJSON } from '../io/model-json.js';
import type { ModelJSON } from '../nets/sequential.js';
import { SGD } from '../optim/sgd.js';
import type { Nested, Tensor } from '../tensor/tensor.js';
import { formatEquation } from './format.js';
import { SEED_DATA, SEED_LR, SEED_MODEL } from './seed-example.js';
import { type Trace, trace } from './trace.js';

/** A worked example: the trace of one pass, then one SGD step and the loss after it. */
export interface WorkedExample {
  trace: Trace;
  lr: number;
  /** Parameters after the step, by name. */
  updated: Record<string, Tensor>;
  lossAfter: number;
}

/**
 * Works one forward pass, one backward pass and one SGD step on a model, as the seed note does by
 * hand (by default the seed's own network and example).
 *
 * @example
 * const { trace, lossAfter } = workExample();
 * trace.loss;  // 0.6316…
 * lossAfter;   // 0.5501…
 */
export function workExample(model: ModelJSON = SEED_MODEL, data: unknown = SEED_DATA, lr = SEED_LR): WorkedExample {
  const net = modelFromJSON(model);
  const { x, t } = dataFromJSON(data, net);
  const result = trace(net, x, t);
  const grads = net.gradient(x, t);
  new SGD(lr).update(net.params, grads);
  const updated: Record<string, Tensor> = {};
  for (const [name, param] of Object.entries(net.params)) updated[name] = param.clone();
  return { trace: result, lr, updated, lossAfter: net.loss(x, t) };
}

/** The worked example as JSON: every step's value and the update, biases and their gradients 1-D. */
export function exampleToJSON(example: WorkedExample): { steps: Record<string, Nested>; update: Record<string, Nested> } {
  const steps: Record<string, Nested> = {};
  for (const step of example.trace.steps) steps[step.name] = step.name === 'loss' ? step.value.data[0] : step.value.toArray();
  const update: Record<string, Nested> = { lr: example.lr };
  for (const [name, param] of Object.entries(example.updated)) update[name] = param.toArray();
  update.loss = example.lossAfter;
  return { steps, update };
}

/** Section headings the note uses, in English with the note's Korean. */
const LAYER_NAMES = ['input layer (입력층)', 'hidden layer (은닉층)', 'output layer (출력층)'];

/** The worked example as the note lays it out: forward, loss, backward, update. */
export function exampleToText(example: WorkedExample, precision = 4): string {
  const { trace: tr } = example;
  const lines: string[] = [];
  const show = (lhs: string, name: string): void => {
    const value = tr.values.get(name);
    if (value) lines.push(...formatEquation(lhs, value, precision).map((l) => `  ${l}`), '');
  };
  lines.push('Setting');
  for (const name of ['x', 't', ...[...tr.values.keys()].filter((k) => /^[Wb]\d+$/.test(k))]) show(name, name);
  lines.push('Forward (순전파)');
  const affines = tr.steps.filter((s) => /^z\d+$/.test(s.name)).length;
  for (const step of tr.steps.filter((s) => s.phase === 'forward')) {
    const k = Number(step.name.slice(1));
    if (/^z\d+$/.test(step.name)) {
      const from = LAYER_NAMES[Math.min(k - 1, 1)];
      const to = LAYER_NAMES[k === affines ? 2 : 1];
      lines.push(` ${from} → ${to}`);
    }
    if (step.name === 'loss') lines.push(' cross-entropy loss (교차 엔트로피 손실)');
    show(step.formula, step.name);
  }
  lines.push('Backward (역전파)');
  for (const step of tr.steps.filter((s) => s.phase === 'backward')) show(step.formula, step.name);
  lines.push(`Weight update (가중치 갱신): W ← W − lr·dW, lr = ${example.lr}`);
  for (const [name, value] of Object.entries(example.updated)) {
    lines.push(...formatEquation(`${name} ← ${name} − lr·d${name}`, value, precision).map((l) => `  ${l}`), '');
  }
  lines.push(`  loss after the update = ${example.lossAfter.toFixed(precision)} (before: ${tr.loss.toFixed(precision)})`);
  return `${lines.join('\n')}\n`;
}
