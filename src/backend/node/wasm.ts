import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { useWasm, type WasmKernels } from '../wasm/kernels.js';

/**
 * The path of the WebAssembly kernels `npm run build` compiles from assembly/index.ts: the module
 * over a shared memory (what Node uses), or with `shared = false` the one over an unshared memory.
 */
export function wasmKernelsPath(shared = true): string {
  // this file is dist/src/backend/node/wasm.js; the modules are in dist/wasm/
  return fileURLToPath(new URL(`../../../wasm/${shared ? 'kernels-shared' : 'kernels'}.wasm`, import.meta.url));
}

export interface LoadWasmOptions {
  /** A shared memory (the default in Node): float32 tensors live in it and helper threads can work on it. */
  shared?: boolean;
  /** The module file (default: the one `npm run build` wrote). */
  path?: string;
}

/**
 * Reads the WebAssembly SIMD kernels and makes them the backend of float32 products, on the
 * calling thread; `useThreads` adds helper threads.
 *
 * @example
 * import { loadWasmBackend } from 'scratchnet/node';
 * loadWasmBackend(); // float32 nets now train on WebAssembly SIMD
 */
export function loadWasmBackend(options: LoadWasmOptions = {}): WasmKernels {
  const shared = options.shared ?? true;
  return useWasm(readFileSync(options.path ?? wasmKernelsPath(shared)), { shared });
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
