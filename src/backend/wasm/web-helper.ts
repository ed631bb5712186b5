// A helper thread of the wasm backend in a browser (a Web Worker started by useWebThreads): its own
// instance of the kernels over the shared memory, serving the rows the calling thread hands it.
import { type HelperData, instantiateKernels, serveRows } from './threads.js';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HelperData>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (event) => {
  scope.onmessage = null;
  const { module, memory, control, index } = event.data;
  const kernels = instantiateKernels(module, memory);
  scope.postMessage('ready');
  serveRows(kernels, control, index);
};
