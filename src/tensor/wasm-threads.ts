// Sharing a product's rows with helper threads over a shared WebAssembly memory. The calling thread
// writes a product's arguments into a helper's slot of a control block (an Int32Array in the shared
// memory) and wakes it; the helper computes its rows with its own instance of the module and marks
// the slot done. Nothing here imports a platform: Node's worker_threads (src/io/node/wasm.ts) or a
// browser's Web Workers (web-threads.ts) start the threads and call `serveRows` in each.
import { ScratchnetError } from '../errors.js';

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
  sigmoidBackward(y: number, dout: number, dx: number, size: number): void;
  relu(x: number, dout: number, out: number, size: number): void;
  adam(p: number, g: number, m: number, v: number, size: number, lrT: number, beta1: number, beta2: number): void;
  unitBytes(bytes: number, out: number, size: number): void;
  sgd(p: number, g: number, size: number, lr: number): void;
  gemmBytes(
    n: number,
    k: number,
    a: number,
    b: number,
    ldb: number,
    c: number,
    bias: number,
    rowStart: number,
    rowEnd: number,
    scratch: number,
  ): void;
  padRows(src: number, dst: number, rows: number, n: number, ld: number): void;
  packBytes(n: number, k: number): number;
  scratchBytes(k: number): number;
  heapBase(): number;
}

/** What a helper thread is given: the module, the shared memory, the control block and its slot in it. */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  index: number;
}

/** An instance of the kernels' module over `memory`: the calling thread's, or a helper's own. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new ScratchnetError('wasm kernel aborted');
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/** Int32 entries in one helper's slot: the state, up to 14 arguments, then the operation. */
export const ARGS = 16;
const OP = 15;

/** What a helper runs: a product's rows (of floats or of bytes), or a stretch of an elementwise kernel. */
export const GEMM = 0;
export const SIGMOID = 1;
export const RELU = 2;
export const UNIT = 3;
export const GEMM_BYTES = 4;
export const SIGMOID_BACKWARD = 5;

/**
 * Times a waiting thread re-reads its slot before it sleeps: waking a sleeping thread costs tens of
 * microseconds, as much as a whole product of W1's sizes, and products come every few hundred.
 */
const SPINS = 20000;

const IDLE = 0;
const WORK = 1;
const DONE = 2;
const QUIT = 3;

/**
 * The calling thread's side: hands rows to helper h and waits for them, sleeping after a while
 * unless `sleep` is false (a page's main thread may not block: there it spins until they are done).
 */
export class RowHelpers {
  constructor(
    private readonly control: Int32Array,
    readonly count: number,
    private readonly sleep = true,
  ) {}

  /**
   * Starts operation `op` on helper h with `args` (gemm's 14, sigmoid's x, out, size, relu's x, dout,
   * out, size: byte addresses and counts); returns at once.
   */
  start(h: number, op: number, args: readonly number[]): void {
    const slot = h * ARGS;
    const c = this.control;
    for (let i = 0; i < args.length; i++) c[slot + 1 + i] = args[i];
    c[slot + OP] = op;
    Atomics.store(c, slot, WORK);
    Atomics.notify(c, slot);
  }

  /** Blocks until helper h has finished its rows. */
  wait(h: number): void {
    const slot = h * ARGS;
    for (let i = 0; (i < SPINS || !this.sleep) && Atomics.load(this.control, slot) === WORK; i++);
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
    const a = slot + 1;
    const op = c[slot + OP];
    if (op === SIGMOID) kernels.sigmoid(c[a], c[a + 1], c[a + 2]);
    else if (op === RELU) kernels.relu(c[a], c[a + 1], c[a + 2], c[a + 3]);
    else if (op === UNIT) kernels.unitBytes(c[a], c[a + 1], c[a + 2]);
    else if (op === SIGMOID_BACKWARD) kernels.sigmoidBackward(c[a], c[a + 1], c[a + 2], c[a + 3]);
    else if (op === GEMM_BYTES)
      kernels.gemmBytes(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9]);
    else {
      const [transA, transB, m, n, k, pa, pb, pc, bias, pack, packed, rowStart, rowEnd, scratch] = c.subarray(a, a + 14);
      kernels.gemm(transA, transB, m, n, k, pa, pb, pc, bias, pack, packed, rowStart, rowEnd, scratch);
    }
    Atomics.store(c, slot, DONE);
    Atomics.notify(c, slot);
  }
}
