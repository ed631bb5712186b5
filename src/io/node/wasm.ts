import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useWasm, type WasmKernels } from '../../tensor/wasm-backend.js';

/** The path of the WebAssembly kernels `npm run build` compiles from assembly/gemm.ts. */
export function wasmKernelsPath(): string {
  // this file is dist/src/io/node/wasm.js; the module is dist/wasm/kernels.wasm
  return fileURLToPath(new URL('../../../wasm/kernels.wasm', import.meta.url));
}

/**
 * Reads the WebAssembly SIMD kernels and makes them the backend of float32 products.
 *
 * @example
 * import { loadWasmBackend } from 'scratchnet/node';
 * loadWasmBackend(); // float32 nets now train on WebAssembly SIMD
 */
export function loadWasmBackend(path = wasmKernelsPath()): WasmKernels {
  return useWasm(readFileSync(path));
}
