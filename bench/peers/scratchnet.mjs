// scratchnet itself: `variant` is "wasm" (float32 on the WebAssembly SIMD kernels, one thread),
// "wasm-2" (the same with a helper thread: large products split across two cores), "js-f32"
// (float32 on the plain JS kernels) or "js-f64" (float64 on the plain JS kernels, exact).

import { loadWasmBackend, useThreads } from '../../dist/src/backend/node/wasm.js';
import {
  Adam,
  classify,
  DeepConvNet,
  evaluate,
  fillBatch,
  MultiLayerNet,
  matmul,
  normalizeBytes,
  SGD,
  SimpleConvNet,
  setBackend,
  Tensor,
  TwoLayerNet,
} from '../../dist/src/index.js';
import { Rng } from '../../dist/src/tensor/rng.js';
import { loadMnist, permutation, rng, testImages, timeRuns, timeTraining, timeWarm } from '../common.mjs';
import { simdPeak } from '../simd-peak.mjs';

let fused = false;
async function setup(variant) {
  if (variant.startsWith('wasm')) {
    const kernels = loadWasmBackend();
    fused = kernels.fused;
    if (variant === 'wasm-2') await useThreads(kernels, 2);
  } else setBackend('js');
  return variant === 'js-f64' ? 'float64' : 'float32';
}

const net784 = (s, dtype) => new TwoLayerNet(784, s.hidden, 10, s.std ?? 0.01, 'sigmoid', { rng: new Rng(s.seed), dtype });

export async function W1(s, variant) {
  const dtype = await setup(variant);
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const x = Tensor.zeros([s.batch, 784], dtype);
  const t = Tensor.zeros([s.batch, 10], dtype);
  let net;
  const times = await timeRuns(s.runs, () => {
    net = net784(s, dtype);
    const sgd = new SGD(s.lr);
    for (let i = 0; i < s.steps; i++) {
      fillBatch(train, order.subarray(i * s.batch, (i + 1) * s.batch), x, t);
      sgd.update(net.params, net.gradient(x, t));
    }
  });
  return { times, accuracy: evaluate(net, test, dtype) };
}

// Trains fresh nets from makeNet with the book's Adam for s.steps batches of the seeded order; the
// batches are filled into one [batch, 784] tensor, which `input` may view in another shape.
async function trainWithAdam(s, dtype, makeNet, input = (x) => x) {
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const x = Tensor.zeros([s.batch, 784], dtype);
  const t = Tensor.zeros([s.batch, 10], dtype);
  const xs = input(x);
  const { times, model } = await timeTraining(
    s.runs,
    () => ({ net: makeNet(), adam: new Adam(s.lr, s.beta1, s.beta2) }),
    ({ net, adam }) => {
      for (let i = 0; i < s.steps; i++) {
        fillBatch(train, order.subarray(i * s.batch, (i + 1) * s.batch), x, t);
        adam.update(net.params, net.gradient(xs, t));
      }
    },
  );
  // evaluate views the images as the conv net's N×1×28×28 itself (its inputShape)
  return { times, accuracy: evaluate(model.net, test, dtype) };
}

export async function W2(s, variant) {
  const dtype = await setup(variant);
  const makeNet = () => new MultiLayerNet(784, s.hidden, 10, { activation: 'relu', weightInit: 'he', rng: new Rng(s.seed), dtype });
  return trainWithAdam(s, dtype, makeNet);
}

export async function W3(s, variant) {
  const dtype = await setup(variant);
  const makeNet = () =>
    new SimpleConvNet({
      filterNum: s.filters,
      filterSize: s.filterSize,
      hiddenSize: s.hidden,
      weightInit: s.std,
      rng: new Rng(s.seed),
      dtype,
    });
  return trainWithAdam(s, dtype, makeNet, (x) => x.reshape([s.batch, 1, 28, 28]));
}

export async function W5(s, variant) {
  const dtype = await setup(variant);
  const convs = s.convs.map(([filters, pad]) => ({ filters, pad }));
  const makeNet = () => new DeepConvNet({ convs, hiddenSize: s.hidden, dropout: s.dropout, rng: new Rng(s.seed), dtype });
  return trainWithAdam(s, dtype, makeNet, (x) => x.reshape([s.batch, 1, 28, 28]));
}

// Latency: one image, already floats (the first 100 test images, in turn), forwarded. Throughput:
// classify on the 10,000 test images in one batch, from their bytes (the first layer reads them
// as they are stored; the conversion is inside the time, and no float32 copy of the set is made).
export async function W4(s, variant) {
  const dtype = await setup(variant);
  const test = testImages(s.images);
  const net = net784(s, dtype);
  const some = Math.min(100, test.count);
  const images = Tensor.zeros([some, 784], dtype);
  normalizeBytes({ bytes: test.images, rows: Array.from({ length: some }, (_, i) => i), width: 784 }, images.data);
  const one = Tensor.zeros([1, 784], dtype);
  let k = 0;
  const single = await timeWarm(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      one.data.set(images.data.subarray(k * 784, (k + 1) * 784));
      k = (k + 1) % some;
      net.forward(one);
    }
  });
  const batch = await timeWarm(s.runs, () => classify(net, test, dtype));
  return { latency: single.map((t) => t / s.single), throughput: batch };
}

export async function GEMM(s, variant, shapes, transposes, operands) {
  await setup(variant);
  const out = [];
  for (const [label, m, n, k] of shapes) {
    for (const [tA, tB] of transposes) {
      const { a, b } = operands(m, n, k, s.seed);
      const A = new Tensor(a, tA ? [k, m] : [m, k]);
      const B = new Tensor(b, tB ? [n, k] : [k, n]);
      const C = Tensor.zeros([m, n], 'float32');
      out.push({ label, tA, tB, ...gflops(m, n, k, s, () => matmul(A, B, { transA: tA, transB: tB, out: C })) });
    }
  }
  // the distance to the machine's limit: its WebAssembly SIMD peak, measured in this process
  return { gemm: out, peak: variant === 'wasm' ? await simdPeak(s.minSeconds, fused) : undefined };
}

/** Repeats fn for at least s.minSeconds per run and returns GFLOP/s of each run. */
export function gflops(m, n, k, s, fn) {
  fn();
  const rates = [];
  for (let r = 0; r < s.runs; r++) {
    let reps = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < s.minSeconds * 1000) {
      fn();
      reps++;
      elapsed = performance.now() - start;
    }
    rates.push((2 * m * n * k * reps) / (elapsed / 1000) / 1e9);
  }
  return { rates };
}
