// Helper threads in a browser: Web Workers, each with its own instance of the kernels over their
// shared memory (web-helper.ts), serving rows by the protocol of threads.ts.
import { ScratchnetError } from '../../errors.js';
import type { WasmKernels } from './kernels.js';

export interface WebThreadsOptions {
  /**
   * Starts one helper Web Worker running web-helper.js (the package's `scratchnet/web-helper`). The
   * default resolves it next to this module; with a bundler that does not follow
   * `new URL(…, import.meta.url)` into a worker, pass `() => new Worker(helperUrl, { type: 'module' })`
   * with the URL at which the bundler serves that script.
   */
  worker?: () => Worker;
}

/** The helper script next to this module, as an ES module worker. */
const defaultWorker = (): Worker => new Worker(new URL('./web-helper.js', import.meta.url), { type: 'module' });

/**
 * The browser's `useThreads`: lets large float32 products run on `threads` threads in all, the
 * calling thread and threads − 1 Web Workers, with the same floats as on one thread. Needs kernels
 * loaded over a shared memory (`useWasm(bytes of kernels-shared.wasm, { shared: true })`), which
 * needs a cross-origin-isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`). Best called from a worker: a page's main thread
 * may not sleep, so there it spins while the helpers finish. Resolves once every helper is ready.
 *
 * @example
 * const bytes = await (await fetch('kernels-shared.wasm')).arrayBuffer();
 * const kernels = useWasm(bytes, { shared: true });
 * await useWebThreads(kernels, Math.min(navigator.hardwareConcurrency, 4));
 */
export async function useWebThreads(kernels: WasmKernels, threads: number, options: WebThreadsOptions = {}): Promise<void> {
  const scope = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; document?: unknown };
  if (threads > 1 && typeof scope.Worker !== 'function') {
    throw new ScratchnetError('useWebThreads: this scope has no Web Workers, expected a page or a worker of a browser');
  }
  if (threads > 1 && scope.crossOriginIsolated !== true) {
    throw new ScratchnetError(
      'useWebThreads: the page is not cross-origin isolated, expected it served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp',
    );
  }
  const make = options.worker ?? defaultWorker;
  await kernels.startHelpers(
    threads,
    (helper) =>
      new Promise((resolve, reject) => {
        const worker = make();
        worker.onmessage = () => resolve(() => worker.terminate());
        worker.onerror = (event) => {
          worker.terminate();
          reject(new ScratchnetError(`useWebThreads: a helper worker failed to start: ${event.message || 'its script did not load'}`));
        };
        worker.postMessage(helper);
      }),
    scope.document === undefined,
  );
}
