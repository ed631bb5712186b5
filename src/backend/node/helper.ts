// A helper thread of the wasm backend (started by useThreads in wasm.ts): its own instance of the
// kernels over the shared memory, serving the rows the calling thread hands it.
import { parentPort, workerData } from 'node:worker_threads';
import { type HelperData, instantiateKernels, serveRows } from '../wasm/threads.js';

const { module, memory, control, index } = workerData as HelperData;
const kernels = instantiateKernels(module, memory);
parentPort?.postMessage('ready');
serveRows(kernels, control, index);
