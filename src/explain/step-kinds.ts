import { ScratchnetError } from '../errors.js';
import { addRowVector, matmul, mul, scale, sub, sumRows } from '../tensor/ops.js';
import { Tensor } from '../tensor/tensor.js';

/** What a step of a pass computes. Each kind is a pure function of its operands. */
export type StepKind =
  | 'affine'
  | 'sigmoid'
  | 'relu'
  | 'tanh'
  | 'softmax'
  | 'loss'
  | 'dscores'
  | 'dW'
  | 'db'
  | 'dinput'
  | 'dsigmoid'
  | 'drelu'
  | 'dtanh'
  /** A step of another of the book's layers (Convolution, Pooling, BatchNormalization, Dropout): shown, not recomputed. */
  | 'layer';

/**
 * A piece of a formula: text, the batch size N, or an operand (by its index), optionally
 * transposed or shown as the mask [z > 0].
 */
export type Piece = string | { batch: true } | { operand: number; transpose?: boolean; mask?: boolean };

/** The usual slips of a hand computation, as the checker names them. */
export type Diagnosis = 'missing-transpose' | 'wrong-sign' | 'no-batch-average' | 'sigmoid-derivative-of-z' | 'arithmetic';

/** A value computed with one usual slip, and the formula the slip amounts to. */
export interface Mistake {
  diagnosis: Diagnosis;
  value: Tensor;
  formula: Piece[];
}

/** A slip not yet computed: its shapes may not work for this step, and then it is no candidate. */
interface Slip {
  diagnosis: Diagnosis;
  formula: Piece[];
  value: () => Tensor;
}

interface KindSpec {
  formula: Piece[];
  compute(args: Tensor[]): Tensor;
  mistakes?(args: Tensor[]): Slip[];
}

const N: Piece = { batch: true };
const op = (operand: number, transpose = false): Piece => ({ operand, transpose });

/** A batch as a matrix: N×(everything else). */
function rows(t: Tensor): Tensor {
  return t.rank === 2 ? t : t.reshape([t.rank === 0 ? 1 : t.shape[0], -1]);
}

/** t as one-hot rows of `classes` (class indices are turned into one-hot rows). */
function oneHot(t: Tensor, n: number, classes: number): Tensor {
  if (t.rank === 2) return t;
  const out = Tensor.zeros([n, classes]);
  for (let i = 0; i < n; i++) out.data[i * classes + t.data[i]] = 1;
  return out;
}

function lossOf(t: Tensor, y: Tensor, sign: number, average: boolean): Tensor {
  const y2 = rows(y);
  const [n, c] = y2.shape;
  const T = oneHot(t, n, c);
  let total = 0;
  for (let i = 0; i < y2.size; i++) if (T.data[i] !== 0) total -= T.data[i] * Math.log(y2.data[i]);
  return Tensor.from((sign * total) / (average ? n : 1));
}

const batchSize = (t: Tensor): number => (t.rank === 0 ? 1 : t.shape[0]);
const map = (t: Tensor, f: (v: number) => number): Tensor => {
  const out = Tensor.zeros(t.shape);
  for (let i = 0; i < t.size; i++) out.data[i] = f(t.data[i]);
  return out;
};

/** Every step kind: its formula, its computation and the slips worth recognising. */
export const STEP_KINDS: Record<StepKind, KindSpec> = {
  affine: {
    formula: [op(0), '·', op(1), ' + ', op(2)],
    compute: ([x, W, b]) => addRowVector(matmul(rows(x), W), b),
  },
  sigmoid: { formula: ['σ(', op(0), ')'], compute: ([z]) => map(z, (v) => 1 / (1 + Math.exp(-v))) },
  relu: { formula: ['relu(', op(0), ')'], compute: ([z]) => map(z, (v) => Math.max(0, v)) },
  tanh: { formula: ['tanh(', op(0), ')'], compute: ([z]) => map(z, Math.tanh) },
  softmax: {
    formula: ['softmax(', op(0), ')'],
    compute: ([z]) => {
      const z2 = rows(z);
      const [n, c] = z2.shape;
      const y = Tensor.zeros([n, c]);
      for (let i = 0; i < n; i++) {
        const row = Array.from(z2.data.subarray(i * c, (i + 1) * c));
        const max = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
        for (let j = 0; j < c; j++) y.data[i * c + j] = Math.exp(row[j] - max) / sum;
      }
      return y;
    },
  },
  loss: {
    formula: ['−Σ ', op(0), '·log ', op(1), ' / ', N],
    compute: ([t, y]) => lossOf(t, y, 1, true),
    mistakes: ([t, y]) => [
      { diagnosis: 'wrong-sign', value: () => lossOf(t, y, -1, true), formula: ['Σ ', op(0), '·log ', op(1), ' / ', N] },
      { diagnosis: 'no-batch-average', value: () => lossOf(t, y, 1, false), formula: ['−Σ ', op(0), '·log ', op(1)] },
    ],
  },
  dscores: {
    formula: ['(', op(0), ' − ', op(1), ') / ', N],
    compute: ([y, t]) => {
      const y2 = rows(y);
      return scale(sub(y2, oneHot(t, y2.shape[0], y2.shape[1])), 1 / y2.shape[0]);
    },
    mistakes: ([y, t]) => {
      const y2 = rows(y);
      const diff = sub(y2, oneHot(t, y2.shape[0], y2.shape[1]));
      return [
        { diagnosis: 'wrong-sign', value: () => scale(diff, -1 / y2.shape[0]), formula: ['(', op(1), ' − ', op(0), ') / ', N] },
        { diagnosis: 'no-batch-average', value: () => diff, formula: [op(0), ' − ', op(1)] },
      ];
    },
  },
  dW: {
    formula: [op(0, true), '·', op(1)],
    compute: ([x, dout]) => matmul(rows(x), rows(dout), { transA: true }),
    mistakes: ([x, dout]) => [
      { diagnosis: 'missing-transpose', value: () => matmul(rows(x), rows(dout)), formula: [op(0), '·', op(1)] },
      { diagnosis: 'missing-transpose', value: () => matmul(rows(dout), rows(x), { transA: true }), formula: [op(1, true), '·', op(0)] },
    ],
  },
  db: { formula: ['Σ ', op(0)], compute: ([dout]) => sumRows(rows(dout)) },
  dinput: {
    formula: [op(0), '·', op(1, true)],
    compute: ([dout, W]) => matmul(rows(dout), W, { transB: true }),
    mistakes: ([dout, W]) => [{ diagnosis: 'missing-transpose', value: () => matmul(rows(dout), W), formula: [op(0), '·', op(1)] }],
  },
  dsigmoid: {
    formula: [op(0), ' ⊙ ', op(1), '(1 − ', op(1), ')'],
    compute: ([da, a]) =>
      mul(
        da,
        map(a, (v) => v * (1 - v)),
      ),
    mistakes: ([da, , z]) => [
      {
        diagnosis: 'sigmoid-derivative-of-z',
        value: () =>
          mul(
            da,
            map(z, (v) => v * (1 - v)),
          ),
        formula: [op(0), ' ⊙ ', op(2), '(1 − ', op(2), ')'],
      },
    ],
  },
  drelu: {
    formula: [op(0), ' ⊙ ', { operand: 1, mask: true }],
    compute: ([da, z]) =>
      mul(
        da,
        map(z, (v) => (v > 0 ? 1 : 0)),
      ),
  },
  dtanh: {
    formula: [op(0), ' ⊙ (1 − ', op(1), '²)'],
    compute: ([da, a]) =>
      mul(
        da,
        map(a, (v) => 1 - v * v),
      ),
  },
  layer: {
    formula: [],
    compute: () => {
      throw new ScratchnetError('a step of this layer is shown, not recomputed');
    },
  },
};

/** Whether a step's kind can be recomputed from its operands (and so checked). */
export const recomputable = (kind: StepKind): boolean => kind !== 'layer';

/** The slips to try for a step: its kind's own, then a flipped sign and, in backward steps, a missing ÷ N. */
export function mistakesOf(kind: StepKind, args: Tensor[], backward: boolean, formula: Piece[]): Mistake[] {
  const spec = STEP_KINDS[kind];
  const value = spec.compute(args);
  const n = batchSize(args[0]);
  const slips: Slip[] = [
    ...(spec.mistakes?.(args) ?? []),
    { diagnosis: 'wrong-sign', value: () => scale(value, -1), formula: ['−(', ...formula, ')'] },
  ];
  if (backward && kind !== 'db' && n > 1)
    slips.push({ diagnosis: 'no-batch-average', value: () => scale(value, n), formula: [N, '·(', ...formula, ')'] });
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
