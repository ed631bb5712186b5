import { describe, formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import { intAttribute, type OnnxForm } from '../io/onnx-graph.js';
import { scale, sub } from '../tensor/ops.js';
import { reuse, Tensor } from '../tensor/tensor.js';
import type { LayerJSON, LossLayer } from './layer.js';
import { type LayerSteps, N, op, rows, type Slip, type StepKind } from './steps.js';

/** t as one-hot rows of `classes` (class indices are turned into one-hot rows). */
function oneHot(t: Tensor, n: number, classes: number): Tensor {
  if (t.rank === 2) return t;
  const out = Tensor.zeros([n, classes]);
  for (let i = 0; i < n; i++) out.data[i * classes + t.data[i]] = 1;
  return out;
}

// −Σ t·log y, ÷N when `average`, times `sign`
function lossOf(t: Tensor, y: Tensor, sign: number, average: boolean): Tensor {
  const y2 = rows(y);
  const [n, c] = y2.shape;
  const T = oneHot(t, n, c);
  let total = 0;
  for (let i = 0; i < y2.size; i++) if (T.data[i] !== 0) total -= T.data[i] * Math.log(y2.data[i]);
  return Tensor.from((sign * total) / (average ? n : 1));
}

// The steps of the layer as explain shows them and check recomputes them (and the slips it names).
const softmax: StepKind = {
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
};
const loss: StepKind = {
  formula: ['−Σ ', op(0), '·log ', op(1), ' / ', N],
  compute: ([t, y]) => lossOf(t, y, 1, true),
  slips: ([t, y]): Slip[] => [
    { diagnosis: 'wrong-sign', value: () => lossOf(t, y, -1, true), formula: ['Σ ', op(0), '·log ', op(1), ' / ', N] },
    { diagnosis: 'no-batch-average', value: () => lossOf(t, y, 1, false), formula: ['−Σ ', op(0), '·log ', op(1)] },
  ],
};
const dScores: StepKind = {
  formula: ['(', op(0), ' − ', op(1), ') / ', N],
  compute: ([y, t]) => {
    const y2 = rows(y);
    return scale(sub(y2, oneHot(t, y2.shape[0], y2.shape[1])), 1 / y2.shape[0]);
  },
  slips: ([y, t]) => {
    const y2 = rows(y);
    const diff = sub(y2, oneHot(t, y2.shape[0], y2.shape[1]));
    return [
      { diagnosis: 'wrong-sign', value: () => scale(diff, -1 / y2.shape[0]), formula: ['(', op(1), ' − ', op(0), ') / ', N] },
      { diagnosis: 'no-batch-average', value: () => diff, formula: [op(0), ' − ', op(1)] },
    ];
  },
};

/**
 * Softmax followed by the cross-entropy error, as one layer so that its backward is simply
 * (y − t)/N. The loss is the batch mean of −Σ t·log y.
 *
 * We differ from the book on purpose in one place: log y is computed as z − logsumexp(z)
 * (stable for any scores), instead of log(y + 1e-7), so the loss is exact.
 *
 * `t` is one-hot rows (N×C) or class indices (a vector of N), like the book's
 * `t.size == y.size` test.
 *
 * @example
 * const loss = new SoftmaxWithLoss();
 * loss.forward(Tensor.from([[0.1759, 0.0486]]), Tensor.from([[1, 0]])); // 0.6316…
 * loss.backward().toArray(); // [[-0.468…, 0.468…]]
 */
export class SoftmaxWithLoss implements LossLayer {
  static readonly type = 'SoftmaxWithLoss';
  static readonly loss = true;
  readonly type = SoftmaxWithLoss.type;
  label = 'SoftmaxWithLoss';
  y: Tensor | undefined;
  /** The loss of the last forward. */
  loss = Number.NaN;
  private t: Tensor | undefined;
  private dx: Tensor | undefined;

  // y = softmax(x), loss = −(1/N) Σ t·log y
  forward(x: Tensor, t: Tensor): number {
    if (x.rank !== 2) throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)}, expected scores N×C`);
    const [n, c] = x.shape;
    checkTargets(t, n, c, { name: `${this.label}: t`, rows: 'the scores have', classes: `the scores are ${n}×${c} with` });
    const y = reuse(this.y, x.shape, x.dtype);
    const xd = x.data;
    const yd = y.data;
    const td = t.data;
    const oneHot = t.rank === 2;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const r = i * c;
      let max = xd[r];
      for (let j = 1; j < c; j++) if (xd[r + j] > max) max = xd[r + j];
      // y = e^(x − max) / Σ e^(x − max), as the book: one exp an entry
      let sum = 0;
      for (let j = 0; j < c; j++) {
        const e = Math.exp(xd[r + j] - max);
        yd[r + j] = e;
        sum += e;
      }
      for (let j = 0; j < c; j++) yd[r + j] /= sum;
      const logSumExp = max + Math.log(sum);
      if (oneHot) {
        // −Σ_j t_j log y_j, with log y_j = x_j − logsumexp(x)
        for (let j = 0; j < c; j++) if (td[r + j] !== 0) total += td[r + j] * (logSumExp - xd[r + j]);
      } else {
        total += logSumExp - xd[r + td[i]];
      }
    }
    this.y = y;
    this.t = t;
    this.loss = total / n;
    return this.loss;
  }

  // dx = (y − t) · dout / N
  backward(dout = 1): Tensor {
    const { y, t } = this;
    if (!y || !t) throw new ShapeError(`${this.label}.backward: called before forward`);
    const [n, c] = y.shape;
    const dx = reuse(this.dx, y.shape, y.dtype);
    const k = dout / n;
    const yd = y.data;
    const td = t.data;
    const gd = dx.data;
    if (t.rank === 2) {
      for (let i = 0; i < yd.length; i++) gd[i] = (yd[i] - td[i]) * k;
    } else {
      for (let i = 0; i < yd.length; i++) gd[i] = yd[i] * k;
      for (let i = 0; i < n; i++) gd[i * c + td[i]] -= k;
    }
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }

  /** Its JSON form by example, and the shape of the scores it takes. */
  static readonly example = { json: { type: 'SoftmaxWithLoss' }, input: [2, 3] };

  static fromJSON(_json: JsonFields): SoftmaxWithLoss {
    return new SoftmaxWithLoss();
  }

  // y = softmax(z), loss = −Σ t·log y / N; dz = (y − t)/N
  static readonly steps: LayerSteps<SoftmaxWithLoss> = {
    output: 'y',
    forward: [
      { kind: softmax, reads: ['x'], section: 'softmax', value: (layer) => layer.y as Tensor },
      { of: 'loss', kind: loss, reads: ['t', 'y'], section: 'loss', value: (layer) => Tensor.from(layer.loss) },
    ],
    backward: [{ of: 'x', kind: dScores, reads: ['y', 't'], section: 'loss' }],
  };

  // The loss layer's forward pass without the loss: the probabilities.
  static readonly onnx: OnnxForm = {
    export(_layer, g) {
      g.flatten();
      g.op('Softmax', [], [intAttribute('axis', 1)], 2, 'probabilities');
    },
  };
}

/** How {@link checkTargets} words its errors: what t is called, and what its rows and classes are held against. */
export interface TargetWords {
  /** `data.t`, `SoftmaxWithLoss#4: t` */
  name: string;
  /** What has one row per example, with its verb: `data.x has`, `the scores have`. */
  rows: string;
  /** What the classes come from, before `C classes`: `the model outputs`. */
  classes: string;
}

/**
 * The one check of targets against N examples of C classes: one-hot rows N×C, or N class indices
 * in 0…C−1 (C undefined: any). A shape that does not fit is a ShapeError, a label out of range an
 * InputError.
 *
 * @example
 * checkTargets(t, 2, 10, { name: 'data.t', rows: 'data.x has', classes: 'the model outputs' });
 */
export function checkTargets(t: Tensor, n: number, c: number | undefined, words: TargetWords): void {
  if (t.rank !== 1 && t.rank !== 2)
    throw new InputError(
      `${words.name} is ${t.rank === 0 ? 'a number' : formatShape(t.shape)}, expected one-hot rows or a list of class indices`,
    );
  if (t.shape[0] !== n)
    throw new ShapeError(`${words.name} has ${t.shape[0]} rows but ${words.rows} ${n}, expected one target per example`);
  if (c === undefined) return; // classes not known before the data
  if (t.rank === 2) {
    if (t.shape[1] !== c)
      throw new ShapeError(`${words.name} is ${formatShape(t.shape)} but ${words.classes} ${c} classes, expected one-hot rows of ${c}`);
    return;
  }
  for (let i = 0; i < n; i++) {
    const label = t.data[i];
    if (!Number.isInteger(label) || label < 0 || label >= c)
      throw new InputError(`${words.name}[${i}] is ${describe(label)}, expected a class index 0…${c - 1}`);
  }
}
