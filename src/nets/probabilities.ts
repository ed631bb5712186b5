import { formatShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Sequential } from './sequential.js';

/**
 * The class probabilities a network gives each row of x: the softmax of its scores, as the loss
 * layer computes it (shifted by the row's largest score, so exp never overflows).
 *
 * @example
 * const rows = classProbabilities(net, x); // rows[i][k]: probability of class k for example i
 */
export function classProbabilities(net: Sequential, x: Tensor): number[][] {
  const scores = net.forward(x, false);
  net.checkFinite(x, scores.data);
  if (scores.rank !== 2) throw new ShapeError(`the network gives scores of ${formatShape(scores.shape)}, expected one row per example`);
  const [n, c] = scores.shape;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(scores.data.subarray(i * c, (i + 1) * c));
    const max = Math.max(...row);
    const exps = row.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    rows.push(exps.map((e) => e / sum));
  }
  return rows;
}
