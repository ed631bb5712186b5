import { ScratchnetError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { Tanh } from '../layers/tanh.js';
import type { Sequential } from '../nets/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { type Piece, STEP_KINDS, type StepKind } from './step-kinds.js';

/** One named value of a pass: `z1`, `dW2`, `loss`. */
export interface TraceStep {
  /** The step's name by the naming rule (see {@link trace}). */
  name: string;
  phase: 'forward' | 'backward';
  kind: StepKind;
  /** How it is computed, in the book's notation: `z1 = x·W1 + b1`. */
  formula: string;
  /** The names of the values the step reads, in the order of its kind's formula. */
  operands: string[];
  /** The formula's pieces (text and operands), to write it with names or with numbers. */
  pieces: Piece[];
  value: Tensor;
  /** The label of the layer whose forward or backward computes it (`Affine#1`); none for the loss. */
  layer?: string;
}

export interface Trace {
  steps: TraceStep[];
  /** Every value by name, the inputs and parameters (x, t, W1, b1, …) included. */
  values: Map<string, Tensor>;
  loss: number;
  /** The batch size N. */
  batch: number;
}

/** A formula's pieces written with operand names: `x·W1 + b1`. */
export function formulaText(pieces: Piece[], operands: string[]): string {
  return pieces
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('batch' in p) return 'N';
      const name = operands[p.operand];
      return p.mask ? `[${name} > 0]` : p.transpose ? `${name}ᵀ` : name;
    })
    .join('');
}

const op = (operand: number, transpose = false): Piece => ({ operand, transpose });

/** The book's other layers: the letter their outputs are named with, and the function shown. */
const OTHER_LAYERS = new Map<string, [string, string]>([
  ['Pooling', ['p', 'maxpool']],
  ['BatchNormalization', ['n', 'batchnorm']],
  ['Dropout', ['m', 'dropout']],
]);

const ACTIVATIONS: [new () => unknown, StepKind, StepKind][] = [
  [Sigmoid, 'sigmoid', 'dsigmoid'],
  [Relu, 'relu', 'drelu'],
  [Tanh, 'tanh', 'dtanh'],
];

/**
 * Runs one forward and one backward pass and records every intermediate value by name.
 *
 * The naming rule: the k-th Affine layer has parameters Wk, bk and output zk; the k-th activation
 * has output ak (a Convolution counts as the k-th layer with weights, like an Affine: zk, Wk, bk;
 * a Pooling's output is pj, a BatchNormalization's nj, a Dropout's mj); the softmax output is y; the gradient of anything is d + its name (dz2, dW1,
 * da1); the input's gradient is dx.
 *
 * @example
 * const { steps } = trace(net, Tensor.from([[1, 2]]), Tensor.from([[1, 0]]));
 * steps.map((s) => s.name); // z1 a1 z2 y loss dz2 dW2 db2 da1 dz1 dW1 db1 dx
 */
export function trace(net: Sequential, x: Tensor, t: Tensor): Trace {
  const values = new Map<string, Tensor>([
    ['x', x.clone()],
    ['t', t.clone()],
  ]);
  const steps: TraceStep[] = [];
  const record = (
    name: string,
    phase: TraceStep['phase'],
    kind: StepKind,
    operands: string[],
    value: Tensor,
    layer?: string,
    pieces = STEP_KINDS[kind].formula,
  ): void => {
    const copy = value.clone();
    values.set(name, copy);
    const formula = `${name} = ${formulaText(pieces, operands)}`;
    steps.push({ name, phase, kind, formula, operands, pieces, value: copy, ...(layer ? { layer } : {}) });
  };
  const others: Record<string, number> = {};

  // Forward: name each layer's output, remembering which name each layer read.
  const inputs: string[] = [];
  const outputs: string[] = [];
  const backwardKinds: StepKind[] = [];
  let current = 'x';
  let out = x;
  let affines = 0;
  let activations = 0;
  for (const layer of net.layers) {
    out = layer.forward(out);
    let name: string;
    if (layer instanceof Affine || layer instanceof Convolution) {
      // k counts the layers with weights, as the parameter names do (W1 of a conv net is its filter)
      affines++;
      name = `z${affines}`;
      values.set(`W${affines}`, layer.params.W.clone());
      values.set(`b${affines}`, layer.params.b.clone());
      const operands = [current, `W${affines}`, `b${affines}`];
      if (layer instanceof Affine) record(name, 'forward', 'affine', operands, out, layer.label);
      else record(name, 'forward', 'layer', operands, out, layer.label, ['conv(', op(0), ', ', op(1), ') + ', op(2)]);
      backwardKinds.push('affine');
    } else if (OTHER_LAYERS.has(layer.type)) {
      const [prefix, text] = OTHER_LAYERS.get(layer.type) as [string, string];
      others[prefix] = (others[prefix] ?? 0) + 1;
      name = `${prefix}${others[prefix]}`;
      if (layer instanceof BatchNormalization) {
        values.set(`gamma${affines}`, layer.params.gamma.clone());
        values.set(`beta${affines}`, layer.params.beta.clone());
        record(name, 'forward', 'layer', [current, `gamma${affines}`, `beta${affines}`], out, layer.label, [
          op(1),
          ' ⊙ (',
          op(0),
          ' − μ) / √(σ² + ε) + ',
          op(2),
        ]);
      } else {
        record(name, 'forward', 'layer', [current], out, layer.label, [`${text}(`, op(0), ')']);
      }
      backwardKinds.push('layer');
    } else {
      const activation = ACTIVATIONS.find(([type]) => layer instanceof type);
      if (!activation) throw new ScratchnetError(`explain: ${layer.label} is not a layer the explanation can name yet`);
      activations++;
      name = `a${activations}`;
      record(name, 'forward', activation[1], [current], out, layer.label);
      backwardKinds.push(activation[2]);
    }
    inputs.push(current);
    outputs.push(name);
    current = name;
  }
  const scores = current;
  const loss = net.lastLayer.forward(out, t);
  const y = net.lastLayer.y;
  if (!y) throw new ScratchnetError('explain: the loss layer kept no output');
  record('y', 'forward', 'softmax', [scores], y, net.lastLayer.label);
  record('loss', 'forward', 'loss', ['t', 'y'], Tensor.from(loss));

  // Backward: the gradient of each name flows to the name its layer read.
  let dout = net.lastLayer.backward(1);
  record(`d${scores}`, 'backward', 'dscores', ['y', 't'], dout, net.lastLayer.label);
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const layer = net.layers[i];
    const input = inputs[i];
    const output = outputs[i];
    const kind = backwardKinds[i];
    dout = layer.backward(dout);
    const dInput = input === 'x' ? 'dx' : `d${input}`;
    if (layer instanceof Affine) {
      const k = output.slice(1);
      record(`dW${k}`, 'backward', 'dW', [input, `d${output}`], layer.grads.W, layer.label);
      record(`db${k}`, 'backward', 'db', [`d${output}`], layer.grads.b, layer.label);
      record(dInput, 'backward', 'dinput', [`d${output}`, `W${k}`], dout, layer.label);
    } else if (layer instanceof Convolution) {
      const k = output.slice(1);
      const d = `d${output}`;
      record(`dW${k}`, 'backward', 'layer', [input, d], layer.grads.W, layer.label, ['im2col(', op(0), ')ᵀ·', op(1)]);
      record(`db${k}`, 'backward', 'layer', [d], layer.grads.b, layer.label, ['Σ ', op(0), ' over N, H, W']);
      record(dInput, 'backward', 'layer', [d, `W${k}`], dout, layer.label, ['col2im(', op(0), '·', op(1, true), ')']);
    } else if (kind === 'layer') {
      const d = `d${output}`;
      if (layer instanceof BatchNormalization) {
        const k = (steps.find((st) => st.name === output)?.operands[1] ?? '').replace('gamma', '');
        record(`dgamma${k}`, 'backward', 'layer', [d], layer.grads.gamma, layer.label, ['Σ ', op(0), ' ⊙ x̂']);
        record(`dbeta${k}`, 'backward', 'layer', [d], layer.grads.beta, layer.label, ['Σ ', op(0)]);
      }
      record(dInput, 'backward', 'layer', [d], dout, layer.label, [`${layer.type}.backward(`, op(0), ')']);
    } else if (kind === 'drelu') {
      record(dInput, 'backward', kind, [`d${output}`, input], dout, layer.label);
    } else {
      // σ and tanh differentiate through their output; the input is kept for diagnosing slips.
      record(dInput, 'backward', kind as StepKind, [`d${output}`, output, input], dout, layer.label);
    }
  }
  return { steps, values, loss, batch: x.shape[0] };
}
