import { ScratchnetError } from '../../errors.js';

const PAGE = 65536;
/** The most bytes a memory of the kernels may grow to (their module declares 16,384 pages). */
const MAX_BYTES = 16384 * PAGE;
/** Blocks are whole multiples of this many bytes (a cache line), so every block is 64-byte aligned. */
const LINE = 64;
/** Bytes kept readable past the last block: the sparse and narrow products and padRows read up to 12 bytes past B. */
const TAIL = 128;

const roundUp = (bytes: number): number => Math.ceil(Math.max(bytes, 1) / LINE) * LINE;

/** `bytes` rounded up to whole cache lines: how the kernels lay their scratch out. */
export const align = (bytes: number): number => Math.ceil(bytes / LINE) * LINE;

/**
 * Blocks of a WebAssembly memory handed out as Float32Arrays, so that tensors can live where the
 * kernels work on them and no product copies its operands in and out.
 *
 * With a shared memory, growing never detaches the views already given out, so a view stays valid
 * for good; a block goes back to a free list of its size once its view is garbage-collected. The
 * heap holds at most `budget` bytes of live blocks; past that `float32` returns undefined and the
 * caller uses an ordinary array (which the kernels copy in, as for any array of its own).
 * A block is only tied to the view `float32` returned: keep that view (or its tensor) alive while
 * any `subarray` of it is in use.
 */
export class WasmHeap {
  private top: number;
  private live = 0;
  private readonly free = new Map<number, number[]>();
  private readonly buffers = new Set<ArrayBufferLike>();
  private readonly registry = new FinalizationRegistry<[number, number]>(([at, bytes]) => this.release(at, bytes));
  /**
   * One block for every call's scratch, used as a stack and traded for a larger one when a call
   * needs more while none is out: scratch of many sizes (a network's products) takes about twice
   * the largest, not the sum of them all.
   */
  private arena = { at: 0, bytes: 0, used: 0, out: 0 };

  constructor(
    readonly memory: WebAssembly.Memory,
    start: number,
    readonly budget: number,
  ) {
    this.top = roundUp(start);
    this.buffers.add(memory.buffer);
  }

  /** A zeroed Float32Array of `size` in the memory, or undefined when the budget is spent. */
  float32(size: number): Float32Array | undefined {
    const at = this.block(size * 4);
    return at < 0 ? undefined : this.track(new Float32Array(this.memory.buffer, at, size).fill(0), at, size * 4);
  }

  /** A zeroed Float64Array of `size` in the memory (an optimizer's state), or undefined. */
  float64(size: number): Float64Array | undefined {
    const at = this.block(size * 8);
    return at < 0 ? undefined : this.track(new Float64Array(this.memory.buffer, at, size).fill(0), at, size * 8);
  }

  /** A zeroed Int32Array of `size` in the memory (a layer's indices), or undefined. */
  int32(size: number): Int32Array | undefined {
    const at = this.block(size * 4);
    return at < 0 ? undefined : this.track(new Int32Array(this.memory.buffer, at, size).fill(0), at, size * 4);
  }

  private block(bytes: number): number {
    return this.take(roundUp(bytes));
  }

  // The block goes back to its free list once the view is garbage.
  private track<T extends object>(view: T, at: number, bytes: number): T {
    this.registry.register(view, [at, roundUp(bytes)]);
    return view;
  }

  /**
   * Scratch bytes for one call (operands copied in, packed panels): a block returned with `give`
   * before the call ends. Throws when the memory cannot hold it.
   */
  borrow(bytes: number): number {
    const size = roundUp(bytes);
    if (this.arena.used + size > this.arena.bytes && this.arena.out === 0) this.growArena(size);
    const arena = this.arena;
    if (arena.used + size <= arena.bytes) {
      arena.used += size;
      arena.out++;
      return arena.at + arena.used - size;
    }
    // a borrow inside another's that the arena cannot hold: a block of its own
    const at = this.take(size, true);
    if (at < 0) {
      const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;
      throw new ScratchnetError(
        `wasm backend: a product needs ${bytes} bytes of scratch, more than the module's memory holds besides its ${mb(this.top)} in use (of ${mb(MAX_BYTES)})`,
      );
    }
    return at;
  }

  give(at: number, bytes: number): void {
    const arena = this.arena;
    if (arena.bytes > 0 && at >= arena.at && at < arena.at + arena.bytes) {
      // the arena empties when its last borrow comes back, whatever the order
      if (--arena.out === 0) arena.used = 0;
      return;
    }
    this.release(at, roundUp(bytes));
  }

  // Trades the idle arena for a block of at least `size` (twice the old one when that fits), outside the budget.
  private growArena(size: number): void {
    const arena = this.arena;
    for (const want of [Math.max(size, 2 * arena.bytes), size]) {
      const at = this.take(want, true);
      if (at < 0) continue;
      this.live -= want; // scratch is not a tensor: it does not count against the budget
      if (arena.bytes > 0) {
        this.live += arena.bytes;
        this.release(arena.at, arena.bytes);
      }
      this.arena = { at, bytes: want, used: 0, out: 0 };
      return;
    }
  }

  /** The byte address of `array` in the memory, or −1 when it lives elsewhere. */
  addressOf(array: Float32Array | Float64Array | Int32Array): number {
    return this.buffers.has(array.buffer) ? array.byteOffset : -1;
  }

  /** A Float32Array over the whole memory as it is now. */
  view(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  private take(bytes: number, scratch = false): number {
    if (!scratch && this.live + bytes > this.budget) return -1;
    const list = this.free.get(bytes);
    let at = list?.pop();
    if (at === undefined) {
      at = this.top;
      if (!this.ensure(at + bytes + TAIL)) return -1;
      this.top += bytes;
    }
    this.live += bytes;
    return at;
  }

  private release(at: number, bytes: number): void {
    this.live -= bytes;
    let list = this.free.get(bytes);
    if (!list) {
      list = [];
      this.free.set(bytes, list);
    }
    list.push(at);
  }

  // Grows the memory to `end` bytes at least; false when its maximum is too small.
  private ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      return false;
    }
    this.buffers.add(this.memory.buffer);
    return true;
  }
}
