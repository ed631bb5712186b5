import { InputError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';

/**
 * Seeded shuffling into mini-batches: each epoch visits the examples in a new random order, in
 * ⌊count / batchSize⌋ batches (at least one); the remainder waits for a later epoch's order.
 *
 * @example
 * const batches = new MiniBatches(60000, 100, new Rng(0));
 * batches.perEpoch;          // 600
 * const indices = batches.next(); // 100 example indices
 */
export class MiniBatches {
  readonly batchSize: number;
  readonly perEpoch: number;
  private order: Int32Array;
  private position = 0;

  constructor(
    readonly count: number,
    batchSize: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batch size is ${batchSize}, expected a whole number ≥ 1`);
    if (count < 1) throw new InputError('MiniBatches: the data set is empty, expected at least one example');
    this.batchSize = Math.min(batchSize, count);
    this.perEpoch = Math.max(1, Math.floor(count / this.batchSize));
    this.order = rng.permutation(count);
  }

  /** The indices of the next batch (a view, valid until the next call). */
  next(): Int32Array {
    if (this.position === this.perEpoch) {
      this.order = this.rng.permutation(this.count);
      this.position = 0;
    }
    const start = this.position * this.batchSize;
    this.position++;
    return this.order.subarray(start, start + this.batchSize);
  }
}
