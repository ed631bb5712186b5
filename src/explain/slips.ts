import type { Diagnosis, Piece, Slip, StepKind } from '../layers/steps.js';
import { N } from '../layers/steps.js';
import { scale } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TraceStep } from './trace.js';

/** A value computed with one usual slip, and the formula the slip amounts to. */
export interface Mistake {
  diagnosis: Diagnosis;
  value: Tensor;
  formula: Piece[];
}

/** Whether check can recompute a step of this kind from its operands (and so check it). */
export const recomputable = (kind: StepKind): boolean => kind.compute !== undefined;

const batchSize = (t: Tensor): number => (t.rank === 0 ? 1 : t.shape[0]);

/**
 * The slips to try for a step that check can recompute: its kind's own, then a flipped sign and,
 * in backward steps that are not a sum over the batch, a missing ÷ N.
 *
 * @example
 * mistakesOf(step, operands).map((m) => m.diagnosis); // ['missing-transpose', 'wrong-sign', …]
 */
export function mistakesOf(step: Pick<TraceStep, 'kind' | 'recompute' | 'slips' | 'phase'>, args: Tensor[]): Mistake[] {
  const { kind, recompute } = step;
  if (!recompute) return [];
  const value = recompute(args);
  const n = batchSize(args[0]);
  const slips: Slip[] = [
    ...(step.slips?.(args) ?? []),
    { diagnosis: 'wrong-sign', value: () => scale(value, -1), formula: ['−(', ...kind.formula, ')'] },
  ];
  if (step.phase === 'backward' && !kind.sumsOverBatch && n > 1)
    slips.push({ diagnosis: 'no-batch-average', value: () => scale(value, n), formula: [N, '·(', ...kind.formula, ')'] });
  const found: Mistake[] = [];
  for (const slip of slips) {
    try {
      found.push({ diagnosis: slip.diagnosis, formula: slip.formula, value: slip.value() });
    } catch {
      // a slip whose shapes cannot work is not one this learner made
    }
  }
  return found;
}
