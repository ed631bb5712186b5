import type { Layer, LossLayer } from '../layers/layer.js';
import { layerType } from '../layers/registry.js';
import type { Piece, Section, Slip, Step, StepKind } from '../layers/steps.js';
import type { Sequential } from '../nets/sequential.js';
import type { Tensor } from '../tensor/tensor.js';

/** One named value of a pass: `z1`, `dW2`, `loss`. */
export interface TraceStep {
  /** The step's name by the naming rule (see {@link trace}). */
  name: string;
  phase: 'forward' | 'backward';
  /** What the step computes: its formula and, when check can redo it, how (the layer's own). */
  kind: StepKind;
  /** The step's computation from its operands, with what its layer fixes (when check can redo it). */
  recompute?: (args: Tensor[]) => Tensor;
  /** The slips of a hand computation its kind recognises, for these operands. */
  slips?: (args: Tensor[]) => Slip[];
  /** Where the step starts a part of an explanation: a layer's weights, the softmax, the loss. */
  section?: Section;
  /** How it is computed, in the book's notation: `z1 = x·W1 + b1`. */
  formula: string;
  /** The names of the values the step reads, in the order of its kind's formula. */
  operands: string[];
  /** The formula's pieces (text and operands), to write it with names or with numbers. */
  pieces: Piece[];
  value: Tensor;
  /** The label of the layer whose forward or backward computes it (`Affine#1`). */
  layer: string;
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

/** The names one layer's steps see: its input's, its output's, its parameters'. */
interface Names {
  input: string;
  output: string;
  params: Record<string, string>;
}

// An operand as the whole pass names it: x → the input's name, out → the output's, dout → d + the
// output's, a parameter → its network name (W → W2), anything else (t, y) as it is.
function resolve(operand: string, names: Names): string {
  if (operand === 'x') return names.input;
  if (operand === 'out') return names.output;
  if (operand === 'dout') return `d${names.output}`;
  return names.params[operand] ?? operand;
}

// The gradient's name of a value: d + its name, the input's gradient dx.
const gradientName = (name: string): string => `d${name}`;

/**
 * Runs one forward and one backward pass and records every intermediate value by name, as each
 * layer's type declares its steps (its static `steps`).
 *
 * The naming rule: each layer names its output with its letter, counted per letter: an Affine's or
 * a Convolution's output is zk (the k-th layer with weights, whose parameters are Wk, bk), an
 * activation's ak, a Pooling's pk, a BatchNormalization's nk, a Dropout's mk; the softmax output is
 * y; the gradient of anything is d + its name (dz2, dW1, da1); the input's gradient is dx.
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
  const record = (phase: TraceStep['phase'], step: Step, name: string, value: Tensor, names: Names, owner: Layer | LossLayer): void => {
    const copy = value.clone();
    values.set(name, copy);
    const operands = step.reads.map((r) => resolve(r, names));
    const { kind } = step;
    const { compute, slips } = kind;
    const formula = `${name} = ${formulaText(kind.formula, operands)}`;
    steps.push({
      name,
      phase,
      kind,
      // bound to the layer: a step's computation may need what the layer fixes (a slope, a ratio)
      ...(compute ? { recompute: (args: Tensor[]) => compute.call(kind, args, owner) } : {}),
      ...(slips ? { slips: (args: Tensor[]) => slips.call(kind, args, owner) } : {}),
      formula,
      operands,
      pieces: kind.formula,
      value: copy,
      layer: owner.label,
      ...(step.section ? { section: step.section } : {}),
    });
  };

  // Forward: name each layer's output by its letter, remembering the names each layer saw.
  const seen: Names[] = [];
  const counts = new Map<string, number>();
  let input = 'x';
  let out = x;
  for (const layer of net.layers) {
    out = layer.forward(out);
    const { steps: declared } = layerType(layer.type);
    const letter = declared.output;
    const k = (counts.get(letter) ?? 0) + 1;
    counts.set(letter, k);
    const names: Names = { input, output: `${letter}${k}`, params: net.paramNames(layer) };
    for (const [local, name] of Object.entries(names.params)) values.set(name, layer.params[local].clone());
    for (const step of declared.forward) record('forward', step, step.of ?? names.output, step.value?.(layer) ?? out, names, layer);
    seen.push(names);
    input = names.output;
  }
  const last: LossLayer = net.lastLayer;
  net.checkFinite(x, out.data);
  const loss = last.forward(out, t);
  const lossSteps = layerType(last.type).steps;
  const lossNames: Names = { input, output: lossSteps.output, params: {} };
  for (const step of lossSteps.forward) record('forward', step, step.of ?? lossNames.output, step.value?.(last) ?? out, lossNames, last);

  // Backward: the gradient of each name flows to the name its layer read.
  let dout = last.backward(1);
  for (const step of lossSteps.backward) record('backward', step, gradientName(input), dout, lossNames, last);
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const layer: Layer = net.layers[i];
    const names = seen[i];
    dout = layer.backward(dout);
    for (const step of layerType(layer.type).steps.backward) {
      const of = step.of ?? 'x';
      const value = step.value?.(layer) ?? (of === 'x' ? dout : layer.grads[of]);
      record('backward', step, gradientName(resolve(of, names)), value, names, layer);
    }
  }
  return { steps, values, loss, batch: x.shape[0] };
}
