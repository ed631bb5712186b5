import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadWasmBackend } from '../../src/backend/node/wasm.js';
import { setBackend } from '../../src/backend/registry.js';
import { MultiLayerNet } from '../../src/nets/multi-layer-net.js';
import type { Sequential } from '../../src/nets/sequential.js';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Adam } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/sgd.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/tensor/rng.js';
import { setFloat32Allocator, Tensor } from '../../src/tensor/tensor.js';

const wasm = loadWasmBackend();
after(() => {
  setBackend('js');
  setFloat32Allocator((size) => wasm.float32(size));
});

// Counts the float32 arrays allocated during `steps` training steps after two warm-up steps.
function allocationsPerStep(net: Sequential, optimizer: Optimizer, x: Tensor, t: Tensor, steps = 3): number {
  for (let i = 0; i < 2; i++) optimizer.update(net.params, net.gradient(x, t));
  let count = 0;
  setFloat32Allocator((size) => {
    count++;
    return wasm.float32(size);
  });
  for (let i = 0; i < steps; i++) optimizer.update(net.params, net.gradient(x, t));
  setFloat32Allocator((size) => wasm.float32(size));
  return count;
}

function batch(n: number, features: number, rng: Rng) {
  const x = Tensor.zeros([n, features], 'float32');
  const t = Tensor.zeros([n, 10], 'float32');
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform() < 0.8 ? 0 : rng.uniform();
  for (let i = 0; i < n; i++) t.data[i * 10 + (i % 10)] = 1;
  return { x, t };
}

for (const backend of ['wasm', 'js'] as const) {
  test(`the training loop allocates no tensor after its first steps (${backend})`, () => {
    setBackend(backend);
    const rng = new Rng(1);
    const mlp = batch(32, 784, rng);
    const two = new TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { rng, dtype: 'float32' });
    assert.equal(allocationsPerStep(two, new SGD(0.1), mlp.x, mlp.t), 0, 'TwoLayerNet with SGD');
    const deep = new MultiLayerNet(784, [64, 64], 10, { rng, dtype: 'float32' });
    assert.equal(allocationsPerStep(deep, new Adam(0.001), mlp.x, mlp.t), 0, 'MultiLayerNet with Adam');
    const images = batch(4, 784, rng);
    const conv = new SimpleConvNet({ rng, dtype: 'float32', filterNum: 4, hiddenSize: 16 });
    assert.equal(allocationsPerStep(conv, new Adam(0.001), images.x.reshape([4, 1, 28, 28]), images.t), 0, 'SimpleConvNet');
  });
}
