// How a layer tells `explain` and `check` about itself: the names of its values, the formula of
// each step of its forward and backward, and (where check can redo a step) how to recompute it in
// float64 and the slips of a hand computation worth recognising. Each layer file declares its own
// as the static `steps`; explain/trace.ts runs a pass and names every value by them.
import { Tensor } from '../tensor/tensor.js';

/**
 * A piece of a formula: text, the batch size N, or an operand (by its index), optionally
 * transposed or shown as the mask [z > 0].
 */
export type Piece = string | { batch: true } | { operand: number; transpose?: boolean; mask?: boolean };

/** The usual slips of a hand computation, as the checker names them. */
export type Diagnosis = 'missing-transpose' | 'wrong-sign' | 'no-batch-average' | 'sigmoid-derivative-of-z' | 'arithmetic';

/** A value computed with one usual slip: not yet computed (its shapes may not work for this step). */
export interface Slip {
  diagnosis: Diagnosis;
  formula: Piece[];
  value: () => Tensor;
}

/**
 * What a step computes. Every step has a formula; a step that `check` can recompute has `compute`
 * (a pure float64 function of its operands, given the layer for what it fixes beyond them, such as
 * a slope or a ratio) and may list the slips it recognises.
 */
export interface StepKind<L = unknown> {
  formula: Piece[];
  compute?(args: Tensor[], layer: L): Tensor;
  slips?(args: Tensor[], layer: L): Slip[];
  /** A sum over the batch (a bias gradient): no ÷N belongs in it, so a missing one is no slip. */
  sumsOverBatch?: boolean;
}

/** Where a step starts a part of an explanation: a layer's weights, the softmax, the loss. */
export type Section = 'layer' | 'softmax' | 'loss';

/**
 * One named value of a layer's pass. Operands (`reads`) are named from the layer's point of view:
 * `x` its input, `out` its output, `dout` the gradient of its output, a parameter's own name (`W`),
 * or a name of the whole pass (`t`, `y`).
 */
export interface Step<L = unknown> {
  /**
   * Forward: a name of its own (`y`, `loss`), else the step is the layer's output. Backward: what the
   * value is the gradient of, `x` (the layer's dx) or a parameter (`W`: its dW).
   */
  of?: string;
  kind: StepKind<L>;
  reads: string[];
  section?: Section;
  /** The value, when it is not the layer's output, its dx or the gradient of `of`. */
  value?(layer: L): Tensor;
}

/**
 * A layer's steps: the letter its output is named with (counted per letter: z1, z2, a1, p1; a loss
 * layer's output, the probabilities, is named by it alone: y) and its forward and backward steps.
 */
export interface LayerSteps<L = unknown> {
  output: string;
  forward: Step<L>[];
  backward: Step<L>[];
}

/** The batch size N in a formula. */
export const N: Piece = { batch: true };
/** Operand i of a step in a formula, transposed when asked. */
export const op = (operand: number, transpose = false): Piece => ({ operand, transpose });

/** A batch as a matrix: N×(everything else). */
export function rows(t: Tensor): Tensor {
  return t.rank === 2 ? t : t.reshape([t.rank === 0 ? 1 : t.shape[0], -1]);
}

/** f of every entry, as a new float64 tensor. */
export function each(t: Tensor, f: (v: number) => number): Tensor {
  const out = Tensor.zeros(t.shape);
  for (let i = 0; i < t.size; i++) out.data[i] = f(t.data[i]);
  return out;
}

/** A step only shown (its formula), not recomputed by check: the other layers of the book. */
export const shown = (...formula: Piece[]): StepKind => ({ formula });
