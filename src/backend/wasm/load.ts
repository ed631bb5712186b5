import { ScratchnetError } from '../../errors.js';
import { useWasm, type WasmKernels, type WasmOptions } from './kernels.js';

/**
 * The smallest module that uses relaxed SIMD: one function of three f32x4.splat and an
 * f32x4.relaxed_madd. An engine that validates it can run the kernels-fma*.wasm modules.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 29, 1, 27, 0, 67, 0, 0, 0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 67, 0, 0,
  0, 0, 253, 19, 253, 133, 2, 26, 11,
]);

/** Whether this engine has WebAssembly relaxed SIMD (Chromium 114 on, Node 22 on; Node 20 with a flag). */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/**
 * Fetches, compiles and starts the WebAssembly SIMD kernels, then makes them the backend of
 * float32 nets: the browser's one call (Node's is `loadWasmBackend()` from 'scratchnet/node').
 * By default it fetches the module the package ships beside this file: over a shared memory when
 * the page may share one (cross-origin isolated), else over an unshared one, and built with relaxed
 * SIMD (fused multiply-adds) where the browser has it. `url` names another.
 *
 * @example
 * await loadWasm();
 * const net = new TwoLayerNet(784, 50, 10, 0.01, 'relu', { dtype: 'float32' }); // runs on wasm
 */
export async function loadWasm(url?: string | URL, options: WasmOptions = {}): Promise<WasmKernels> {
  const shared = options.shared ?? (typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated !== false);
  const fma = (options.fma ?? true) && hasRelaxedSimd();
  const where = url ?? shippedModule(shared, fma);
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

/** The module the package ships for a shared memory or not, with relaxed SIMD or not. */
function shippedModule(shared: boolean, fma: boolean): URL {
  // four literal URLs, so that bundlers (Vite, webpack, esbuild) see and ship every file
  if (fma)
    return shared
      ? new URL('../../../wasm/kernels-fma-shared.wasm', import.meta.url)
      : new URL('../../../wasm/kernels-fma.wasm', import.meta.url);
  return shared ? new URL('../../../wasm/kernels-shared.wasm', import.meta.url) : new URL('../../../wasm/kernels.wasm', import.meta.url);
}
