import { ScratchnetError } from '../errors.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { Kernels } from './kernels.js';
import { plain } from './plain.js';

export type BackendName = 'js' | 'wasm';

// The plain kernels are always there: the reference every other backend is tested against.
const loaded = new Map<BackendName, Kernels>([['js', plain]]);
let activeName: BackendName = 'js';
let active: Kernels = plain;

/** Makes `kernels` available under `name` (the WebAssembly backend registers itself as 'wasm'). */
export function registerBackend(name: BackendName, kernels: Kernels): void {
  if (name === 'js') throw new ScratchnetError("registerBackend: 'js' is the built-in reference, expected another name");
  loaded.set(name, kernels);
  if (activeName === name) active = kernels;
}

/**
 * Selects the kernels float32 arrays run on: 'js' (the plain reference) or 'wasm' (WebAssembly
 * SIMD, once loaded with `useWasm`, or `loadWasmBackend` from 'scratchnet/node').
 *
 * @example
 * setBackend('js'); // back to the plain kernels
 */
export function setBackend(name: BackendName): void {
  const kernels = loaded.get(name);
  if (!kernels) {
    throw new ScratchnetError(`backend '${name}' is not loaded, expected 'js' or a loaded backend (load the wasm one with useWasm first)`);
  }
  activeName = name;
  active = kernels;
}

/** The name of the backend float32 arrays run on. */
export function getBackend(): BackendName {
  return activeName;
}

/**
 * The kernels for arrays like `data`: the active backend's for float32, the plain ones for
 * float64 (exact enough to check gradients, and the reference). The one way to the kernels.
 *
 * @example
 * kernelsFor(out.data).sigmoid(x.data, out.data);
 */
export function kernelsFor(data: FloatArray): Kernels {
  return data instanceof Float32Array ? active : plain;
}
