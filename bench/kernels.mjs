// `node bench/kernels.mjs [--threads N] [--no-fma]`: scratchnet alone, on the pieces W1–W4 are made of — the
// products of W1 and W4 on real MNIST pixels, the sigmoid, the Relu, one Adam step of W2's net, and a
// training step of W1, W2 and W3 — median of 7 timings each. It uses only the public API, so that
// checking out an older commit and running it there shows what a change bought (BENCHMARKS.md).

import * as node from '../dist/src/backend/node/wasm.js';
import * as scratchnet from '../dist/src/index.js';
import { Rng } from '../dist/src/tensor/rng.js';
import { loadMnist, permutation, rng, testImages } from './common.mjs';

const { Adam, fillBatch, matmul, MultiLayerNet, Relu, SGD, Sigmoid, SimpleConvNet, Tensor, TwoLayerNet } = scratchnet;
const args = process.argv.slice(2);
const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 1;
const kernels = node.loadWasmBackend({ fma: !args.includes('--no-fma') });
if (threads > 1) await node.useThreads(kernels, threads);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function time(label, reps, fn) {
  fn();
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    runs.push((performance.now() - start) / reps);
  }
  const ms = median(runs);
  console.log(`${label.padEnd(58)} ${ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`}`);
}
const random = (shape, scale, seed) => {
  const t = Tensor.zeros(shape, 'float32');
  const r = new Rng(seed);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * r.normal();
  return t;
};

const images = testImages(10000);
const x = Tensor.zeros([10000, 784], 'float32');
for (let i = 0; i < x.size; i++) x.data[i] = images.images[i] / 255;
const batch = new Tensor(x.data.slice(0, 100 * 784), [100, 784]);
const one = new Tensor(x.data.slice(0, 784), [1, 784]);
const W1 = random([784, 50], 0.01, 1);
const W2 = random([50, 10], 0.01, 2);
const dz = random([100, 50], 1, 3);
const h = new Sigmoid().forward(random([10000, 50], 1, 4));

console.log(`scratchnet, wasm float32, ${kernels.threads ?? 1} thread(s), ${kernels.fused ? 'fused multiply-adds' : 'multiply and add'}`);
time('x·W1, 10,000 MNIST images (10000×784 · 784×50)', 3, () => matmul(x, W1));
time('x·W1, a batch of 100 (100×784 · 784×50)', 200, () => matmul(batch, W1));
time('xᵀ·dz1, dW1 of a batch of 100 (784×100 · 100×50)', 200, () => matmul(batch, dz, { transA: true }));
time('x·W1, one image (1×784 · 784×50)', 2000, () => matmul(one, W1));
time('h·W2, dense, 10,000 rows (10000×50 · 50×10)', 10, () => matmul(h, W2));
const sigmoid = new Sigmoid();
const z = random([10000, 50], 2, 5);
time('Sigmoid forward, 10000×50', 10, () => sigmoid.forward(z));
const relu = new Relu();
const conv = random([100, 30, 24, 24], 1, 6);
time('Relu forward and backward, 100×30×24×24', 5, () => relu.backward(relu.forward(conv)));

const { train } = loadMnist();
const order = permutation(train.count, rng(1));
const xb = Tensor.zeros([100, 784], 'float32');
const tb = Tensor.zeros([100, 10], 'float32');
time('fillBatch: 600 batches of 100 (an epoch of W1)', 1, () => {
  for (let i = 0; i < 600; i++) fillBatch(train, order.subarray(i * 100, (i + 1) * 100), xb, tb);
});
const net = new TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { rng: new Rng(1), dtype: 'float32' });
time('forward, 10,000 test images already float32 (W4 before)', 3, () => net.forward(x));
// classify came later: at older commits this row is left out
if (scratchnet.classify)
  time('classify, the 10,000 test images from their bytes, one batch', 3, () => scratchnet.classify(net, images, 'float32', 10000));
function steps(label, net, optimizer, batchSize, shape, reps) {
  const xb = Tensor.zeros([batchSize, 784], 'float32');
  const tb = Tensor.zeros([batchSize, 10], 'float32');
  const input = shape ? xb.reshape(shape) : xb;
  let i = 0;
  time(label, reps, () => {
    fillBatch(train, order.subarray(i * batchSize, (i + 1) * batchSize), xb, tb);
    i = (i + 1) % Math.floor(train.count / batchSize);
    optimizer.update(net.params, net.gradient(input, tb));
  });
}
const mlp = new MultiLayerNet(784, [512, 512], 10, { activation: 'relu', weightInit: 'he', rng: new Rng(1), dtype: 'float32' });
const adam = new Adam(0.001);
adam.update(mlp.params, mlp.gradient(batch, Tensor.zeros([100, 10], 'float32')));
const grads = Object.fromEntries(Object.entries(mlp.params).map(([k, v]) => [k, random(v.shape, 1e-3, 7).reshape(v.shape)]));
time('Adam step, the 669,706 parameters of 784-512-512-10', 10, () => adam.update(mlp.params, grads));
steps(
  'W1 step: TwoLayerNet 784-50-10 sigmoid, batch 100, SGD',
  new TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { rng: new Rng(1), dtype: 'float32' }),
  new SGD(0.1),
  100,
  undefined,
  20,
);
steps('W2 step: 784-512-512-10 relu, batch 128, Adam', mlp, new Adam(0.001), 128, undefined, 5);
steps(
  'W3 step: SimpleConvNet, batch 100, Adam',
  new SimpleConvNet({ rng: new Rng(1), dtype: 'float32' }),
  new Adam(0.001),
  100,
  [100, 1, 28, 28],
  2,
);
