import { ScratchnetError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import type { Sequential } from '../nets/sequential.js';
import { Tensor } from '../tensor/tensor.js';

/** One named value of a pass: `z1`, `dW2`, `loss`. */
export interface TraceStep {
  /** The step's name by the naming rule (see {@link trace}). */
  name: string;
  phase: 'forward' | 'backward';
  /** How it is computed, in the book's notation: `z1 = x·W1 + b1`. */
  formula: string;
  /** The names of the values the formula reads, in order. */
  operands: string[];
  value: Tensor;
}

export interface Trace {
  steps: TraceStep[];
  /** Every value by name, the inputs and parameters (x, t, W1, b1, …) included. */
  values: Map<string, Tensor>;
  loss: number;
}

/**
 * Runs one forward and one backward pass and records every intermediate value by name.
 *
 * The naming rule: the k-th Affine layer has parameters Wk, bk and output zk; the k-th activation
 * has output ak; the softmax output is y; the gradient of anything is d + its name (dz2, dW1,
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
  const record = (name: string, phase: TraceStep['phase'], formula: string, operands: string[], value: Tensor): void => {
    const copy = value.clone();
    values.set(name, copy);
    steps.push({ name, phase, formula, operands, value: copy });
  };

  // Forward: name each layer's output, remembering which name each layer read.
  const inputs: string[] = [];
  const outputs: string[] = [];
  let current = 'x';
  let out = x;
  let affines = 0;
  let activations = 0;
  for (const layer of net.layers) {
    out = layer.forward(out);
    let name: string;
    if (layer instanceof Affine) {
      affines++;
      name = `z${affines}`;
      values.set(`W${affines}`, layer.params.W.clone());
      values.set(`b${affines}`, layer.params.b.clone());
      record(name, 'forward', `${name} = ${current}·W${affines} + b${affines}`, [current, `W${affines}`, `b${affines}`], out);
    } else if (layer instanceof Sigmoid || layer instanceof Relu) {
      activations++;
      name = `a${activations}`;
      const f = layer instanceof Sigmoid ? 'σ' : 'relu';
      record(name, 'forward', `${name} = ${f}(${current})`, [current], out);
    } else {
      throw new ScratchnetError(`trace: ${layer.label} is not a layer the trace can name yet`);
    }
    inputs.push(current);
    outputs.push(name);
    current = name;
  }
  const scores = current;
  const loss = net.lastLayer.forward(out, t);
  const y = net.lastLayer.y;
  if (!y) throw new ScratchnetError('trace: the loss layer kept no output');
  record('y', 'forward', `y = softmax(${scores})`, [scores], y);
  record('loss', 'forward', 'loss = −Σ t·log y / N', ['t', 'y'], Tensor.from(loss));

  // Backward: the gradient of each name flows to the name its layer read.
  let dout = net.lastLayer.backward(1);
  record(`d${scores}`, 'backward', `d${scores} = (y − t) / N`, ['y', 't'], dout);
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const layer = net.layers[i];
    const input = inputs[i];
    const output = outputs[i];
    dout = layer.backward(dout);
    const dInput = input === 'x' ? 'dx' : `d${input}`;
    if (layer instanceof Affine) {
      const k = output.slice(1);
      record(`dW${k}`, 'backward', `dW${k} = ${input}ᵀ·d${output}`, [input, `d${output}`], layer.grads.W);
      record(`db${k}`, 'backward', `db${k} = Σ d${output}`, [`d${output}`], layer.grads.b);
      record(dInput, 'backward', `${dInput} = d${output}·W${k}ᵀ`, [`d${output}`, `W${k}`], dout);
    } else if (layer instanceof Sigmoid) {
      record(dInput, 'backward', `${dInput} = d${output} ⊙ ${output}(1 − ${output})`, [`d${output}`, output], dout);
    } else {
      record(dInput, 'backward', `${dInput} = d${output} ⊙ [${input} > 0]`, [`d${output}`, input], dout);
    }
  }
  return { steps, values, loss };
}
