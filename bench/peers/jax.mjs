// jax-js (@jax-js/jax) on its WebAssembly device, written as its README teaches: each training
// step is one jit-compiled function of valueAndGrad and the update, arrays passed by ownership
// (`.ref` / `tree.ref` where an array is used again, `dispose` of what is dropped), so that nothing
// leaks and no step is traced twice. In Node 20 its wasm device runs on one thread (its worker pool
// needs the browser's Worker).
import { init, jit, lax, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { fillBatchF32, gaussian, loadMnist, permutation, rng, testImages, timeTraining, timeWarm } from '../common.mjs';
import { gflops } from './scratchnet.mjs';

async function setup() {
  await init('wasm');
}

// Dense layers W1, b1, … of sizes[k−1]×sizes[k], weights N(0, std(fanIn)²) drawn in the same order as the other JS peers.
function dense(sizes, std, random) {
  const p = {};
  for (let k = 1; k < sizes.length; k++) {
    const [fanIn, out] = [sizes[k - 1], sizes[k]];
    p[`W${k}`] = np.array(gaussian(fanIn * out, std(fanIn), random)).reshape([fanIn, out]);
    p[`b${k}`] = np.zeros([out]);
  }
  return p;
}

// Scores of x through the dense layers, `activation` between them; consumes x, reads p.
function scores(p, x, layers, activation) {
  let h = x;
  for (let k = 1; k <= layers; k++) {
    h = np.matmul(h, p[`W${k}`].ref).add(p[`b${k}`].ref);
    if (k < layers) h = activation(h);
  }
  return h;
}

// Softmax cross-entropy with one-hot t, the mean over the batch; consumes p, x and t.
function crossEntropy(p, x, t, layers, activation) {
  const n = x.shape[0];
  const loss = nn
    .logSoftmax(scores(p, x, layers, activation))
    .mul(t)
    .sum()
    .mul(-1 / n);
  tree.dispose(p);
  return loss;
}

// The test accuracy of `predict` (consuming a batch, reading p), 100 images at a time.
function accuracy(predict, test, shape = [784]) {
  let correct = 0;
  for (let from = 0; from < test.count; from += 100) {
    const n = Math.min(100, test.count - from);
    const pixels = Float32Array.from(test.images.subarray(from * 784, (from + n) * 784), (v) => v / 255);
    const classes = np.argmax(predict(np.array(pixels).reshape([n, ...shape])), 1).dataSync();
    for (let i = 0; i < n; i++) if (classes[i] === test.labels[from + i]) correct++;
  }
  return correct / test.count;
}

// s.steps updates of `step` (consuming the state and a batch, giving the new state and the loss) on the seeded order.
async function train(s, fresh, step, shape = [784]) {
  const { train } = loadMnist();
  const order = permutation(train.count, rng(s.seed));
  const x = new Float32Array(s.batch * 784);
  const t = new Float32Array(s.batch * 10);
  return timeTraining(s.runs, fresh, (state) => {
    for (let i = 0; i < s.steps; i++) {
      fillBatchF32(train, order, i * s.batch, s.batch, x, t);
      let loss;
      [state.current, loss] = step(state.current, np.array(x).reshape([s.batch, ...shape]), np.array(t).reshape([s.batch, 10]), i + 1);
      // jax-js runs lazily: reading each step's loss (and consuming it) runs the step now, as a
      // training loop that watches its loss does; without it 600 pending steps pile up (1.2 GB,
      // twice the time)
      loss.dataSync();
    }
  });
}

export async function W1(s) {
  await setup();
  const lossOf = (p, x, t) => crossEntropy(p, x, t, 2, nn.sigmoid);
  const step = jit((p, x, t) => {
    const [loss, g] = valueAndGrad(lossOf)(tree.ref(p), x, t);
    return [tree.map((w, dw) => w.sub(dw.mul(s.lr)), p, g), loss];
  });
  const { times, model } = await train(
    s,
    () => ({ current: dense([784, s.hidden, 10], () => s.std, rng(s.seed)) }),
    (p, x, t) => step(p, x, t),
  );
  const test = testImages(s.evalImages);
  return { times, accuracy: accuracy((x) => scores(model.current, x, 2, nn.sigmoid), test) };
}

// The book's Adam on a tree of parameters: m and v per parameter, lr_t = lr·√(1 − β2^i)/(1 − β1^i).
function adamStep(lossOf, s) {
  return jit((state, x, t, lrT) => {
    const { p, m, v } = state;
    const [loss, g] = valueAndGrad(lossOf)(tree.ref(p), x, t);
    const m2 = tree.map((mi, gi) => mi.mul(s.beta1).add(gi.mul(1 - s.beta1)), m, tree.ref(g));
    const v2 = tree.map((vi, gi) => vi.mul(s.beta2).add(gi.ref.mul(gi).mul(1 - s.beta2)), v, g);
    const p2 = tree.map((w, mi, vi) => w.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(1e-7))), p, tree.ref(m2), tree.ref(v2));
    lrT.dispose();
    return [{ p: p2, m: m2, v: v2 }, loss];
  });
}

function adamState(p) {
  return { p, m: tree.map((w) => np.zerosLike(w.ref), p), v: tree.map((w) => np.zerosLike(w.ref), p) };
}

const lrAt = (s, i) => np.array([(s.lr * Math.sqrt(1 - s.beta2 ** i)) / (1 - s.beta1 ** i)]);

export async function W2(s) {
  await setup();
  const layers = s.hidden.length + 1;
  const lossOf = (p, x, t) => crossEntropy(p, x, t, layers, nn.relu);
  const step = adamStep(lossOf, s);
  const { times, model } = await train(
    s,
    () => ({ current: adamState(dense([784, ...s.hidden, 10], (fanIn) => Math.sqrt(2 / fanIn), rng(s.seed))) }),
    (state, x, t, i) => step(state, x, t, lrAt(s, i)),
  );
  const test = testImages(s.evalImages);
  return { times, accuracy: accuracy((x) => scores(model.current.p, x, layers, nn.relu), test) };
}

// Max pooling 2×2, stride 2, of N×C×H×W (H, W even): each window its own pair of axes, their max.
function maxPool2(x) {
  const [n, c, h, w] = x.shape;
  return np.max(x.reshape([n, c, h / 2, 2, w / 2, 2]), [3, 5]);
}

// A convolution (NCHW images, OIHW filters, stride 1, zero padding `pad`), its bias, Relu.
const convRelu = (x, W, b, pad) =>
  nn.relu(
    lax
      .conv(
        x,
        W,
        [1, 1],
        [
          [pad, pad],
          [pad, pad],
        ],
      )
      .add(b.reshape([1, -1, 1, 1])),
  );

// Trains a conv net of scores(p, x) with Adam, then its test accuracy on N×1×28×28 images.
async function trainConvNet(s, params, convScores) {
  const lossOf = (p, x, t) => {
    const n = x.shape[0];
    const loss = nn
      .logSoftmax(convScores(p, x))
      .mul(t)
      .sum()
      .mul(-1 / n);
    tree.dispose(p);
    return loss;
  };
  const step = adamStep(lossOf, s);
  const { times, model } = await train(
    s,
    () => ({ current: adamState(params()) }),
    (state, x, t, i) => step(state, x, t, lrAt(s, i)),
    [1, 28, 28],
  );
  const test = testImages(s.evalImages);
  const predict = jit((p, x) => {
    const y = convScores(p, x);
    tree.dispose(p);
    return y;
  });
  return { times, accuracy: accuracy((x) => predict(tree.ref(model.current.p), x), test, [1, 28, 28]) };
}

// SimpleConvNet: conv → relu → pool → affine → relu → affine, weights N(0, std²).
export async function W3(s) {
  await setup();
  const side = (28 - s.filterSize + 1) / 2;
  const flat = s.filters * side * side;
  const params = () => {
    const random = rng(s.seed);
    const filters = np.array(gaussian(s.filters * s.filterSize ** 2, s.std, random)).reshape([s.filters, 1, s.filterSize, s.filterSize]);
    return { filters, bias: np.zeros([s.filters]), ...dense([flat, s.hidden, 10], () => s.std, random) };
  };
  const convScores = (p, x) => {
    const n = x.shape[0];
    const pooled = maxPool2(convRelu(x, p.filters.ref, p.bias.ref, 0));
    return scores(p, pooled.reshape([n, flat]), 2, nn.relu);
  };
  return trainConvNet(s, params, convScores);
}

// Latency: one image, already floats, forwarded; throughput: the test images in one batch.
export async function W4(s) {
  await setup();
  const test = testImages(s.images);
  const p = dense([784, s.hidden, 10], () => 0.01, rng(s.seed));
  const forward = jit((p, x) => scores(p, x, 2, nn.sigmoid));
  const images = Float32Array.from(test.images, (v) => v / 255);
  let k = 0;
  const single = await timeWarm(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      const one = np.array(images.subarray(k * 784, (k + 1) * 784)).reshape([1, 784]);
      k = (k + 1) % test.count;
      forward(tree.ref(p), one).dataSync();
    }
  });
  const batch = await timeWarm(s.runs, () => {
    forward(tree.ref(p), np.array(images).reshape([test.count, 784])).dataSync();
  });
  return { latency: single.map((t) => t / s.single), throughput: batch };
}

export async function GEMM(s, _variant, shapes, transposes, operands) {
  await setup();
  const out = [];
  for (const [label, m, n, k] of shapes) {
    for (const [tA, tB] of transposes) {
      const { a, b } = operands(m, n, k, s.seed);
      const A = np.array(a).reshape(tA ? [k, m] : [m, k]);
      const B = np.array(b).reshape(tB ? [n, k] : [k, n]);
      const product = jit((a, b) => np.matmul(tA ? a.transpose() : a, tB ? b.transpose() : b));
      out.push({ label, tA, tB, ...gflops(m, n, k, s, () => product(A.ref, B.ref).dataSync()) });
    }
  }
  return { gemm: out };
}
