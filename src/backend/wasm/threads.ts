// Sharing a product's rows with helper threads over a shared WebAssembly memory. The calling thread
// writes a product's arguments into a helper's slot of a control block (an Int32Array in the shared
// memory) and wakes it; the helper computes its rows with its own instance of the module and marks
// the slot done. Nothing here imports a platform: Node's worker_threads (src/backend/node/wasm.ts)
// or a browser's Web Workers (web-threads.ts) start the threads and call `serveRows` in each.
import { ScratchnetError } from '../../errors.js';
import type { WasmHeap } from './heap.js';

/** The exports of the AssemblyScript module (assembly/index.ts). Pointers are byte addresses. */
/**
 * im2col (x → col) or col2im (col → dx) over byte addresses, with the window's geometry
 * (src/tensor/im2col.ts's Window) and `ones`: 1 for a column of ones ending each row of col.
 */
type WindowKernel = (
  from: number,
  to: number,
  n: number,
  c: number,
  h: number,
  w: number,
  fh: number,
  fw: number,
  stride: number,
  pad: number,
  oh: number,
  ow: number,
  ones: number,
) => void;

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
  /** 1 when a product's step rounds once (a fused multiply-add), 0 when it rounds twice. */
  fused(): number;
  sigmoid(x: number, out: number, size: number): void;
  sigmoidBackward(y: number, dout: number, dx: number, size: number): void;
  reluForward(x: number, out: number, size: number): void;
  reluBackward(y: number, dout: number, dx: number, size: number): void;
  adam(p: number, g: number, m: number, v: number, size: number, lrT: number, beta1: number, beta2: number): void;
  normalizeBytes(bytes: number, out: number, size: number): void;
  sgd(p: number, g: number, size: number, lr: number): void;
  maxPool(
    x: number,
    out: number,
    argmax: number,
    planes: number,
    h: number,
    w: number,
    fh: number,
    fw: number,
    stride: number,
    pad: number,
    oh: number,
    ow: number,
  ): void;
  maxPoolBackward(dout: number, argmax: number, count: number, dx: number, size: number): void;
  allFinite(x: number, size: number): number;
  im2col: WindowKernel;
  col2im: WindowKernel;
  gemmNormalizedBytes(
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
const ARGS = 16;
const OP = 15;

/** What a helper runs: a product's rows (of floats or of bytes), or a part of an elementwise kernel. */
export const Op = {
  GEMM: 0,
  SIGMOID: 1,
  RELU_FORWARD: 2,
  NORMALIZE_BYTES: 3,
  GEMM_NORMALIZED_BYTES: 4,
  SIGMOID_BACKWARD: 5,
  RELU_BACKWARD: 6,
} as const;

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
 * The calling thread's helpers: started by `start`, each handed rows with `run` and waited for with
 * `wait`, sleeping after a while unless the calling thread may not block (a page's main thread:
 * there it spins until they are done).
 */
export class HelperThreads {
  private control: Int32Array | undefined;
  private controlAt = -1;
  private stops: (() => void)[] = [];
  private sleep = true;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly heap: WasmHeap,
  ) {}

  /** How many helpers there are (0 when none are started). */
  get count(): number {
    return this.control ? this.control.length / ARGS : 0;
  }

  /**
   * Starts `count` helpers, each by `spawn` (a Node worker, a Web Worker) with what it needs to call
   * `serveRows` over the shared memory; `spawn` resolves once its helper is ready, with a function
   * that ends the helper's thread. Helpers already started are stopped first. A helper that fails
   * to start stops the others and its error is thrown.
   */
  async start(count: number, spawn: (helper: HelperData) => Promise<() => void>, sleep: boolean): Promise<void> {
    this.stop();
    if (count === 0) return;
    // borrowed, not a tensor's block: nothing may reuse it while helpers wait on it
    const at = this.heap.borrow(count * ARGS * 4);
    const control = new Int32Array(this.memory.buffer, at, count * ARGS).fill(0);
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, index) => spawn({ module: this.module, memory: this.memory, control, index })),
    );
    this.stops = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    this.control = control;
    this.controlAt = at;
    this.sleep = sleep;
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      this.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  /** Tells every helper to return from `serveRows`, ends their threads and frees the control block. */
  stop(): void {
    const c = this.control;
    if (c) {
      for (let slot = 0; slot < c.length; slot += ARGS) {
        Atomics.store(c, slot, QUIT);
        Atomics.notify(c, slot);
      }
      this.heap.give(this.controlAt, c.length * 4);
    }
    for (const stop of this.stops) stop();
    this.stops = [];
    this.control = undefined;
  }

  /** Starts operation `op` on helper h with `args` (byte addresses and counts); returns at once. */
  run(h: number, op: number, args: readonly number[]): void {
    const c = this.control as Int32Array;
    const slot = h * ARGS;
    for (let i = 0; i < args.length; i++) c[slot + 1 + i] = args[i];
    c[slot + OP] = op;
    Atomics.store(c, slot, WORK);
    Atomics.notify(c, slot);
  }

  /** Blocks until helper h has finished its work. */
  wait(h: number): void {
    const c = this.control as Int32Array;
    const slot = h * ARGS;
    for (let i = 0; (i < SPINS || !this.sleep) && Atomics.load(c, slot) === WORK; i++);
    for (let s = Atomics.load(c, slot); s === WORK; s = Atomics.load(c, slot)) Atomics.wait(c, slot, WORK);
    Atomics.store(c, slot, IDLE);
  }
}

/** Products smaller than this many multiply-adds stay on one thread: waking a helper costs more. */
export const SPLIT_MACS = 1 << 20;
/** Likewise elementwise kernels on fewer entries than this. */
const SPLIT_ENTRIES = 1 << 17;

/** One thread's part of an elementwise kernel: how to run it here, or which operation a helper runs. */
export interface Part {
  run: () => void;
  op: number;
  args: number[];
}

/**
 * Splits `size` entries into one part a thread (whole vectors of 4), the calling thread taking the
 * first; `part(from, count)` says how to run one part here or on a helper.
 */
export function splitAcrossThreads(helpers: HelperThreads, size: number, part: (from: number, count: number) => Part): void {
  const threads = size >= SPLIT_ENTRIES ? 1 + helpers.count : 1;
  const each = Math.ceil(size / threads / 4) * 4;
  for (let t = 1; t < threads; t++) {
    const from = Math.min(size, t * each);
    const { op, args } = part(from, Math.min(size, from + each) - from);
    helpers.run(t - 1, op, args);
  }
  part(0, Math.min(size, each)).run();
  for (let t = 1; t < threads; t++) helpers.wait(t - 1);
}

/**
 * A helper thread's loop: sleeps on its slot of `control`, runs the work it is given with `kernels`
 * (this thread's instance of the module over the shared memory), marks it done; returns on quit.
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
    if (op === Op.SIGMOID) kernels.sigmoid(c[a], c[a + 1], c[a + 2]);
    else if (op === Op.RELU_FORWARD) kernels.reluForward(c[a], c[a + 1], c[a + 2]);
    else if (op === Op.RELU_BACKWARD) kernels.reluBackward(c[a], c[a + 1], c[a + 2], c[a + 3]);
    else if (op === Op.NORMALIZE_BYTES) kernels.normalizeBytes(c[a], c[a + 1], c[a + 2]);
    else if (op === Op.SIGMOID_BACKWARD) kernels.sigmoidBackward(c[a], c[a + 1], c[a + 2], c[a + 3]);
    else if (op === Op.GEMM_NORMALIZED_BYTES)
      kernels.gemmNormalizedBytes(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9]);
    else {
      const [transA, transB, m, n, k, pa, pb, pc, bias, pack, packed, rowStart, rowEnd, scratch] = c.subarray(a, a + 14);
      kernels.gemm(transA, transB, m, n, k, pa, pb, pc, bias, pack, packed, rowStart, rowEnd, scratch);
    }
    Atomics.store(c, slot, DONE);
    Atomics.notify(c, slot);
  }
}
