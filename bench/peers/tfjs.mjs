// TensorFlow.js, pure-JS 'cpu' backend or the 'wasm' backend (XNNPACK, SIMD), as `variant`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fillBatchF32, gaussian, loadMnist, permutation, rng, testImages, timeRuns, timeTraining, timeWarm } from '../common.mjs';
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
  return { times, accuracy: accuracy(tf, (x) => predict(tf, p, x), test) };
}

// The fraction of the test images predict(x) classifies right, 100 images at a time.
function accuracy(tf, predict, test, shape = [784]) {
  let correct = 0;
  for (let from = 0; from < test.count; from += 100) {
    const n = Math.min(100, test.count - from);
    const pixels = Float32Array.from(test.images.subarray(from * 784, (from + n) * 784), (v) => v / 255);
    const x = tf.tensor(pixels, [n, ...shape]);
    const predicted = tf.tidy(() => predict(x).argMax(1)).dataSync();
    x.dispose();
    for (let i = 0; i < n; i++) if (predicted[i] === test.labels[from + i]) correct++;
  }
  return correct / test.count;
}

// Trains fresh variables from makeParams with tf.train.adam on s.steps batches of the seeded order
// (loss: softmax cross-entropy of forward(params, x)), then tests the last run's.
async function trainWithAdam(tf, s, makeParams, forward, shape) {
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const x = new Float32Array(s.batch * 784);
  const t = new Float32Array(s.batch * 10);
  let last;
  const { times, model } = await timeTraining(
    s.runs,
    () => {
      if (last) for (const v of Object.values(last)) v.dispose();
      last = makeParams(rng(s.seed));
      // tfjs's own Adam adds ε to the bias-corrected √v̂, the book's 1e-7 to √v: the same steps up to ε's scale
      return { p: last, adam: tf.train.adam(s.lr, s.beta1, s.beta2, 1e-7) };
    },
    ({ p, adam }) => {
      for (let i = 0; i < s.steps; i++) {
        fillBatchF32(train, order, i * s.batch, s.batch, x, t);
        const xs = tf.tensor(x, [s.batch, ...shape]);
        const ts = tf.tensor2d(t, [s.batch, 10]);
        adam.minimize(() => tf.losses.softmaxCrossEntropy(ts, forward(p, xs)), false);
        xs.dispose();
        ts.dispose();
      }
      adam.dispose();
    },
  );
  return { times, accuracy: accuracy(tf, (xs) => forward(model.p, xs), test, shape) };
}

export async function W2(s, variant) {
  const tf = await setup(variant);
  const sizes = [784, ...s.hidden, 10];
  const makeParams = (random) => {
    const p = {};
    for (let k = 1; k < sizes.length; k++) {
      const [fanIn, out] = [sizes[k - 1], sizes[k]];
      p[`W${k}`] = tf.variable(tf.tensor2d(gaussian(fanIn * out, Math.sqrt(2 / fanIn), random), [fanIn, out]));
      p[`b${k}`] = tf.variable(tf.zeros([out]));
    }
    return p;
  };
  const forward = (p, x) => {
    let h = x;
    for (let k = 1; k < sizes.length; k++) {
      h = h.matMul(p[`W${k}`]).add(p[`b${k}`]);
      if (k < sizes.length - 1) h = tf.relu(h);
    }
    return h;
  };
  return trainWithAdam(tf, s, makeParams, forward, [784]);
}

// NHWC, as tfjs's conv2d takes: images N×28×28×1, filters 5×5×1×30.
export async function W3(s, variant) {
  const tf = await setup(variant);
  const side = (28 - s.filterSize + 1) / 2;
  const flat = side * side * s.filters;
  const makeParams = (random) => ({
    W1: tf.variable(
      tf.tensor4d(gaussian(s.filterSize * s.filterSize * s.filters, s.std, random), [s.filterSize, s.filterSize, 1, s.filters]),
    ),
    b1: tf.variable(tf.zeros([s.filters])),
    W2: tf.variable(tf.tensor2d(gaussian(flat * s.hidden, s.std, random), [flat, s.hidden])),
    b2: tf.variable(tf.zeros([s.hidden])),
    W3: tf.variable(tf.tensor2d(gaussian(s.hidden * 10, s.std, random), [s.hidden, 10])),
    b3: tf.variable(tf.zeros([10])),
  });
  const forward = (p, x) => {
    const conv = tf.relu(tf.conv2d(x, p.W1, 1, 'valid').add(p.b1));
    const pooled = tf.maxPool(conv, 2, 2, 'valid').reshape([x.shape[0], flat]);
    return tf.relu(pooled.matMul(p.W2).add(p.b2)).matMul(p.W3).add(p.b3);
  };
  try {
    return await trainWithAdam(tf, s, makeParams, forward, [28, 28, 1]);
  } catch (e) {
    if (/Conv2DBackpropFilter/.test(e.message)) {
      return { skipped: 'skipped: tfjs-backend-wasm has no Conv2DBackpropFilter kernel: it cannot train a convolution' };
    }
    throw e;
  }
}

export async function W4(s, variant) {
  const tf = await setup(variant);
  const test = testImages(s.images);
  const p = params(tf, s, rng(s.seed));
  const images = Float32Array.from(test.images, (v) => v / 255);
  const all = tf.tensor2d(images, [test.count, 784]);
  let k = 0;
  const single = await timeWarm(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      const one = tf.tensor2d(images.subarray(k * 784, (k + 1) * 784), [1, 784]);
      k = (k + 1) % test.count;
      const y = predict(tf, p, one);
      y.dataSync();
      one.dispose();
      y.dispose();
    }
  });
  const batch = await timeWarm(s.runs, () => {
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
