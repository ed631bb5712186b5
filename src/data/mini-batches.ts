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

  /** Where the batches stand: this epoch's order and how many of its batches were taken. */
  state(): { order: Int32Array; position: number } {
    return { order: this.order.slice(), position: this.position };
  }

  /** Continues from a saved {@link MiniBatches.state}. */
  restore({ order, position }: { order: ArrayLike<number>; position: number }): void {
    if (order.length !== this.count || !Number.isInteger(position) || position < 0 || position > this.perEpoch) {
      throw new InputError(
        `MiniBatches.restore: an order of ${order.length} at batch ${position}, expected ${this.count} examples and a batch 0…${this.perEpoch}`,
      );
    }
    const next = Int32Array.from(order);
    if (next.some((k, i) => k !== order[i] || k < 0 || k >= this.count))
      throw new InputError(`MiniBatches.restore: the order holds an index outside 0…${this.count - 1}`);
    // each example once: a permutation
    const seen = new Uint8Array(this.count);
    for (const k of next) {
      if (seen[k]) throw new InputError(`MiniBatches.restore: the order holds the index ${k} twice, expected each example once`);
      seen[k] = 1;
    }
    this.order = next;
    this.position = position;
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
