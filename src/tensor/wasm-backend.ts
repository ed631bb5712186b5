import { ScratchnetError } from '../errors.js';
import { type Kernels, registerBackend, setBackend } from './backend.js';

/** The exports of the AssemblyScript module (assembly/gemm.ts), built to dist/wasm/kernels.wasm. */
interface KernelExports {
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
  packBytes(n: number, k: number): number;
  scratchBytes(k: number): number;
  heapBase(): number;
}

const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB, the most the module declares

// The sparse-row path reads up to this many bytes past the end of B (into lanes it never stores).
const SLACK = 128;

const align = (bytes: number): number => (bytes + 63) & ~63;

/**
 * The WebAssembly SIMD kernels over one linear memory. Operands are copied into the memory, the
 * product runs there, and C is copied back: at these sizes the copies cost a few percent of the
 * product (measured in BENCHMARKS.md). The memory only grows, to the largest product seen.
 */
export class WasmKernels implements Kernels {
  readonly memory: WebAssembly.Memory;
  private readonly exports: KernelExports;
  private readonly base: number;
  private heap: Float32Array;

  constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new ScratchnetError('wasm kernel aborted');
        },
      },
    });
    this.exports = instance.exports as unknown as KernelExports;
    this.base = align(this.exports.heapBase());
    this.heap = new Float32Array(this.memory.buffer);
  }

  // Room for `bytes` bytes above the module's own data; growing detaches the old buffer.
  private reserve(bytes: number): Float32Array {
    const needed = this.base + bytes;
    if (needed > this.memory.buffer.byteLength) {
      const pages = Math.ceil((needed - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + pages > MAX_PAGES) {
        throw new ScratchnetError(`wasm backend: a product needs ${needed} bytes, more than the module's 1 GiB`);
      }
      this.memory.grow(pages);
    }
    if (this.heap.buffer !== this.memory.buffer) this.heap = new Float32Array(this.memory.buffer);
    return this.heap;
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    bias?: Float32Array,
  ): void {
    const e = this.exports;
    const pa = this.base;
    const pb = pa + align(m * k * 4);
    const pc = pb + align(k * n * 4 + SLACK);
    const pbias = pc + align(m * n * 4);
    const pack = pbias + align(bias ? n * 4 : 0);
    const scratch = pack + align(e.packBytes(n, k));
    const heap = this.reserve(scratch + e.scratchBytes(k) - this.base);
    heap.set(a.subarray(0, m * k), pa >> 2);
    heap.set(b.subarray(0, k * n), pb >> 2);
    heap.fill(0, (pb >> 2) + k * n, ((pb + SLACK) >> 2) + k * n);
    if (bias) heap.set(bias.subarray(0, n), pbias >> 2);
    e.gemm(+transA, +transB, m, n, k, pa, pb, pc, bias ? pbias : 0, pack, 0, 0, m, scratch);
    c.set(heap.subarray(pc >> 2, (pc >> 2) + m * n));
  }

  // e^x by a SIMD polynomial instead of Math.exp one float at a time: the copies in and out cost less
  sigmoid(x: Float32Array, out: Float32Array, size: number): void {
    const heap = this.reserve(size * 4);
    const at = this.base >> 2;
    heap.set(x.subarray(0, size), at);
    this.exports.sigmoid(this.base, this.base, size);
    out.set(heap.subarray(at, at + size));
  }
}

/**
 * Loads the WebAssembly SIMD kernels from the bytes of dist/wasm/kernels.wasm (or a compiled
 * module) and makes them the active backend for float32. In Node, `loadWasmBackend()` from
 * 'scratchnet/node' reads the file for you; in a browser, fetch the file and pass its bytes.
 *
 * @example
 * useWasm(new Uint8Array(await (await fetch('kernels.wasm')).arrayBuffer()));
 * const net = new TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { dtype: 'float32' }); // now runs on wasm
 */
export function useWasm(source: WebAssembly.Module | BufferSource): WasmKernels {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const kernels = new WasmKernels(module);
  registerBackend('wasm', kernels);
  setBackend('wasm');
  return kernels;
}
