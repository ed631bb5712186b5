// Sharing a product's rows with helper threads over a shared WebAssembly memory. The calling thread
// writes a product's arguments into a helper's slot of a control block (an Int32Array in the shared
// memory) and wakes it; the helper computes its rows with its own instance of the module and marks
// the slot done. Nothing here imports a platform: Node's worker_threads (src/io/node/threads.ts) or
// a browser's Web Workers start the threads and call `serveRows` in each.

/** The exports of the AssemblyScript module (assembly/gemm.ts). Pointers are byte addresses. */
export interface KernelExports {
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    bias: number,
    pack: number,
    packed: number,
    rowStart: number,
    rowEnd: number,
    scratch: number,
  ): void;
  sigmoid(x: number, out: number, size: number): void;
  relu(x: number, dout: number, out: number, size: number): void;
  adam(p: number, g: number, m: number, v: number, size: number, lrT: number, beta1: number, beta2: number): void;
  packBytes(n: number, k: number): number;
  scratchBytes(k: number): number;
  heapBase(): number;
}

/** Int32 entries in one helper's slot: the state, then gemm's 14 arguments, then padding. */
export const ARGS = 16;

/**
 * Times a waiting thread re-reads its slot before it sleeps: waking a sleeping thread costs tens of
 * microseconds, as much as a whole product of W1's sizes, and products come every few hundred.
 */
const SPINS = 20000;

const IDLE = 0;
const WORK = 1;
const DONE = 2;
const QUIT = 3;

/** The calling thread's side: hands rows to helper h and waits for them. */
export class RowHelpers {
  constructor(
    private readonly control: Int32Array,
    readonly count: number,
  ) {}

  /** Starts gemm(…args, pack, packed = 0, rowStart, rowEnd, scratch) on helper h; returns at once. */
  start(h: number, args: readonly number[], rowStart: number, rowEnd: number, pack: number, scratch: number): void {
    const slot = h * ARGS;
    const c = this.control;
    for (let i = 0; i < args.length; i++) c[slot + 1 + i] = args[i];
    c[slot + 10] = pack;
    c[slot + 11] = 0;
    c[slot + 12] = rowStart;
    c[slot + 13] = rowEnd;
    c[slot + 14] = scratch;
    Atomics.store(c, slot, WORK);
    Atomics.notify(c, slot);
  }

  /** Blocks until helper h has finished its rows. */
  wait(h: number): void {
    const slot = h * ARGS;
    for (let i = 0; i < SPINS && Atomics.load(this.control, slot) === WORK; i++);
    for (let s = Atomics.load(this.control, slot); s === WORK; s = Atomics.load(this.control, slot)) {
      Atomics.wait(this.control, slot, WORK);
    }
    Atomics.store(this.control, slot, IDLE);
  }

  /** Tells every helper to return from `serveRows`. */
  quit(): void {
    for (let h = 0; h < this.count; h++) {
      Atomics.store(this.control, h * ARGS, QUIT);
      Atomics.notify(this.control, h * ARGS);
    }
  }
}

/**
 * A helper thread's loop: sleeps on its slot of `control`, runs the rows it is given with `kernels`
 * (this thread's instance of the module over the shared memory), marks them done; returns on quit.
 */
export function serveRows(kernels: KernelExports, control: Int32Array, h: number): void {
  const slot = h * ARGS;
  const c = control;
  for (;;) {
    let s = Atomics.load(c, slot);
    for (let i = 0; i < SPINS && s !== WORK && s !== QUIT; i++) s = Atomics.load(c, slot);
    while (s !== WORK && s !== QUIT) {
      Atomics.wait(c, slot, s);
      s = Atomics.load(c, slot);
    }
    if (s === QUIT) return;
    kernels.gemm(
      c[slot + 1],
      c[slot + 2],
      c[slot + 3],
      c[slot + 4],
      c[slot + 5],
      c[slot + 6],
      c[slot + 7],
      c[slot + 8],
      c[slot + 9],
      c[slot + 10],
      c[slot + 11],
      c[slot + 12],
      c[slot + 13],
      c[slot + 14],
    );
    Atomics.store(c, slot, DONE);
    Atomics.notify(c, slot);
  }
}
