// A helper thread of the wasm backend (started by useThreads in wasm.ts): its own instance of the
// kernels over the shared memory, serving the rows the calling thread hands it.
import { parentPort, workerData } from 'node:worker_threads';
import { ScratchnetError } from '../../errors.js';
import { type KernelExports, serveRows } from '../../tensor/wasm-threads.js';

const { module, memory, control, index } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  index: number;
};
const instance = new WebAssembly.Instance(module, {
  env: {
    memory,
    abort: () => {
      throw new ScratchnetError('wasm kernel aborted');
    },
  },
});
parentPort?.postMessage('ready');
serveRows(instance.exports as unknown as KernelExports, control, index);
