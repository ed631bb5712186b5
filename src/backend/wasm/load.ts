import { ScratchnetError } from '../../errors.js';
import { useWasm, type WasmKernels, type WasmOptions } from './kernels.js';

/**
 * Fetches, compiles and starts the WebAssembly SIMD kernels, then makes them the backend of
 * float32 nets: the browser's one call (Node's is `loadWasmBackend()` from 'scratchnet/node').
 * By default it fetches the module the package ships beside this file: over a shared memory when
 * the page may share one (cross-origin isolated), else over an unshared one. `url` names another.
 *
 * @example
 * await loadWasm();
 * const net = new TwoLayerNet(784, 50, 10, 0.01, 'relu', { dtype: 'float32' }); // runs on wasm
 */
export async function loadWasm(url?: string | URL, options: WasmOptions = {}): Promise<WasmKernels> {
  const shared = options.shared ?? (typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated !== false);
  // two literal URLs, so that bundlers (Vite, webpack, esbuild) see and ship both files
  const where =
    url ??
    (shared ? new URL('../../../wasm/kernels-shared.wasm', import.meta.url) : new URL('../../../wasm/kernels.wasm', import.meta.url));
  let response: Response;
  try {
    response = await fetch(where);
  } catch (error) {
    const hint = String(where).startsWith('file:') ? " (in Node, loadWasmBackend() from 'scratchnet/node' reads the file)" : '';
    throw new ScratchnetError(`cannot fetch the wasm kernels from ${where}: ${(error as Error).message}${hint}`);
  }
  if (!response.ok)
    throw new ScratchnetError(`cannot fetch the wasm kernels from ${where}: HTTP ${response.status}, expected the file kernels.wasm`);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    throw new ScratchnetError(`${where} is not the scratchnet wasm kernels: ${(error as Error).message}`);
  }
  return useWasm(module, { ...options, shared });
}
