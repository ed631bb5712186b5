// TensorFlow.js, pure-JS 'cpu' backend or the 'wasm' backend (XNNPACK, SIMD), as `variant`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fillBatchF32, gaussian, loadMnist, permutation, rng, testImages, timeRuns } from '../common.mjs';
import { gflops } from './scratchnet.mjs';

const require = createRequire(import.meta.url);

async function setup(variant) {
  const tf = require('@tensorflow/tfjs');
  if (variant === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  }
  await tf.setBackend(variant);
  await tf.ready();
  return tf;
}

function params(tf, s, random) {
  return {
    W1: tf.variable(tf.tensor2d(gaussian(784 * s.hidden, s.std ?? 0.01, random), [784, s.hidden])),
    b1: tf.variable(tf.zeros([s.hidden])),
    W2: tf.variable(tf.tensor2d(gaussian(s.hidden * 10, s.std ?? 0.01, random), [s.hidden, 10])),
    b2: tf.variable(tf.zeros([10])),
  };
}

const predict = (tf, p, x) => tf.tidy(() => tf.sigmoid(x.matMul(p.W1).add(p.b1)).matMul(p.W2).add(p.b2));

export async function W1(s, variant) {
  const tf = await setup(variant);
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const x = new Float32Array(s.batch * 784);
  const t = new Float32Array(s.batch * 10);
  let p;
  const times = await timeRuns(s.runs, () => {
    if (p) for (const v of Object.values(p)) v.dispose();
    p = params(tf, s, rng(s.seed));
    const sgd = tf.train.sgd(s.lr);
    for (let i = 0; i < s.steps; i++) {
      fillBatchF32(train, order, i * s.batch, s.batch, x, t);
      const xs = tf.tensor2d(x, [s.batch, 784]);
      const ts = tf.tensor2d(t, [s.batch, 10]);
      sgd.minimize(() => tf.losses.softmaxCrossEntropy(ts, predict(tf, p, xs)), false);
      xs.dispose();
      ts.dispose();
    }
    sgd.dispose();
  });
  return { times, accuracy: accuracy(tf, p, test) };
}

function accuracy(tf, p, test) {
  const x = tf.tensor2d(
    Float32Array.from(test.images, (v) => v / 255),
    [test.count, 784],
  );
  const predicted = tf.tidy(() => predict(tf, p, x).argMax(1)).dataSync();
  x.dispose();
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  return correct / test.count;
}

export async function W4(s, variant) {
  const tf = await setup(variant);
  const test = testImages(s.images);
  const p = params(tf, s, rng(s.seed));
  const images = Float32Array.from(test.images, (v) => v / 255);
  const all = tf.tensor2d(images, [test.count, 784]);
  let k = 0;
  const single = await timeRuns(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      const one = tf.tensor2d(images.subarray(k * 784, (k + 1) * 784), [1, 784]);
      k = (k + 1) % test.count;
      const y = predict(tf, p, one);
      y.dataSync();
      one.dispose();
      y.dispose();
    }
  });
  const batch = await timeRuns(s.runs, () => {
    const y = predict(tf, p, all);
    y.dataSync();
    y.dispose();
  });
  return { latency: single.map((t) => t / s.single), throughput: batch };
}

export async function GEMM(s, variant, shapes, transposes, operands) {
  const tf = await setup(variant);
  const out = [];
  for (const [label, m, n, k] of shapes) {
    for (const [tA, tB] of transposes) {
      const { a, b } = operands(m, n, k, s.seed);
      const A = tf.tensor2d(a, tA ? [k, m] : [m, k]);
      const B = tf.tensor2d(b, tB ? [n, k] : [k, n]);
      out.push({
        label,
        tA,
        tB,
        ...gflops(m, n, k, s, () => {
          const c = tf.matMul(A, B, tA, tB);
          c.dataSync();
          c.dispose();
        }),
      });
      A.dispose();
      B.dispose();
    }
  }
  return { gemm: out };
}
