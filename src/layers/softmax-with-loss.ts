import { formatShape, InputError, ShapeError } from '../errors.js';
import { reuse, type Tensor } from '../tensor/tensor.js';
import type { LayerJSON, LossLayer } from './layer.js';

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
  readonly type = 'SoftmaxWithLoss';
  label = 'SoftmaxWithLoss';
  y: Tensor | undefined;
  private t: Tensor | undefined;
  private dx: Tensor | undefined;

  // y = softmax(x), loss = −(1/N) Σ t·log y
  forward(x: Tensor, t: Tensor): number {
    if (x.rank !== 2) throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)}, expected scores N×C`);
    const [n, c] = x.shape;
    checkTargets(this.label, t, n, c);
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
    return total / n;
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
}

/** Targets must be one-hot rows N×C or N class indices in 0…C−1. */
export function checkTargets(label: string, t: Tensor, n: number, c: number): void {
  if (t.rank === 2) {
    if (t.shape[0] !== n || t.shape[1] !== c) {
      throw new ShapeError(`${label}: t is ${formatShape(t.shape)} but the scores are ${n}×${c}, expected one-hot rows ${n}×${c}`);
    }
    return;
  }
  if (t.rank !== 1 || t.shape[0] !== n) {
    throw new ShapeError(
      `${label}: t is ${formatShape(t.shape)} but the scores are ${n}×${c}, expected ${n} class indices or ${n}×${c} one-hot rows`,
    );
  }
  for (let i = 0; i < n; i++) {
    const label_ = t.data[i];
    if (!Number.isInteger(label_) || label_ < 0 || label_ >= c) {
      throw new InputError(`${label}: label ${label_} at row ${i} is out of range, expected a class index 0…${c - 1}`);
    }
  }
}
