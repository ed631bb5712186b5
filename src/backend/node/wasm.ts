import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { useWasm, type WasmKernels } from '../wasm/kernels.js';
import { hasRelaxedSimd } from '../wasm/load.js';

/**
 * The path of the WebAssembly kernels `npm run build` compiles from assembly/index.ts: the module
 * over a shared memory (what Node uses), or with `shared = false` the one over an unshared memory;
 * with `fma`, the one built with relaxed SIMD (a product's step a fused multiply-add).
 */
export function wasmKernelsPath(shared = true, fma = false): string {
  const name = `kernels${fma ? '-fma' : ''}${shared ? '-shared' : ''}.wasm`;
  // this file is dist/src/backend/node/wasm.js; the modules are in dist/wasm/
  return fileURLToPath(new URL(`../../../wasm/${name}`, import.meta.url));
}

/**
 * Whether this Node runs WebAssembly relaxed SIMD, turning it on first where it needs a flag
 * (Node 20: V8's --experimental-wasm-relaxed-simd, read when a module is compiled, so it can be
 * set now; Node 22 on has it without).
 */
export function enableRelaxedSimd(): boolean {
  if (hasRelaxedSimd()) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return hasRelaxedSimd();
}

export interface LoadWasmOptions {
  /** A shared memory (the default in Node): float32 tensors live in it and helper threads can work on it. */
  shared?: boolean;
  /**
   * The module built with relaxed SIMD, whose products step by fused multiply-adds (the default,
   * where this Node can run it); false takes the plain SIMD one, whose floats are the same on every
   * machine.
   */
  fma?: boolean;
  /** The module file (default: the one `npm run build` wrote). */
  path?: string;
}

/**
 * Reads the WebAssembly SIMD kernels and makes them the backend of float32 products, on the
 * calling thread; `useThreads` adds helper threads. `kernels.fused` says whether a product's steps
 * are fused multiply-adds.
 *
 * @example
 * import { loadWasmBackend } from 'scratchnet/node';
 * loadWasmBackend(); // float32 nets now train on WebAssembly SIMD
 */
export function loadWasmBackend(options: LoadWasmOptions = {}): WasmKernels {
  const shared = options.shared ?? true;
  const fma = (options.fma ?? true) && enableRelaxedSimd();
  return useWasm(readFileSync(options.path ?? wasmKernelsPath(shared, fma)), { shared });
}

/**
 * The multiply-adds a run must hold for helper threads to pay for themselves: they take tens of
 * milliseconds to start and some microseconds a product to wake. Measured on one epoch of
 * `train --hidden N` (whole process, 2 cores): 1 thread is faster up to N = 100 (about 10^10
 * multiply-adds with the evaluations), 2 threads tie at 200 and win from 400 on.
 */
export const THREADS_PAY_FROM = 2 ** 34;

/**
 * The threads for work of `multiplyAdds` in all: the machine's cores when helper threads pay for
 * their start, else one. Without an amount of work: the cores.
 *
 * @example
 * defaultThreads(600 * 100 * 39700); // 1: one epoch of the ch05 TwoLayerNet is too short
 */
export function defaultThreads(multiplyAdds = Number.POSITIVE_INFINITY): number {
  return multiplyAdds >= THREADS_PAY_FROM ? availableParallelism() : 1;
}

/**
 * Lets large float32 products run on `threads` threads in all (the caller and threads − 1 workers
 * of worker_threads, each with its own instance of the module over the shared memory). Resolves
 * once every worker is ready; the results are the same floats as on one thread.
 *
 * @example
 * const kernels = loadWasmBackend();
 * await useThreads(kernels, 2);
 */
export async function useThreads(kernels: WasmKernels, threads: number): Promise<void> {
  await kernels.startHelpers(
    threads,
    (helper) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL('./helper.js', import.meta.url), { workerData: helper });
        worker.unref();
        // a helper told to quit returns from serveRows, and its thread ends by itself
        worker.once('message', () => resolve(() => {}));
        worker.once('error', reject);
      }),
  );
}
