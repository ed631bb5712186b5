// ConvNetJS: one example at a time through Vol objects (float64); its Trainer sums the gradients of
// batch_size examples and updates once, which is mini-batch SGD. Its weights start as it draws
// them itself (N(0, 1/fan-in), biases 0.1 before a relu), not as the other peers'.
import { createRequire } from 'node:module';
import { loadMnist, permutation, rng, testImages, timeRuns, timeTraining, timeWarm } from '../common.mjs';

const require = createRequire(import.meta.url);

function makeNet(convnetjs, hidden) {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 },
    { type: 'fc', num_neurons: hidden, activation: 'sigmoid' },
    { type: 'softmax', num_classes: 10 },
  ]);
  return net;
}

function load(vol, set, k) {
  const w = vol.w;
  for (let p = 0; p < 784; p++) w[p] = set.images[k * 784 + p] / 255;
}

function accuracy(net, x, test) {
  let correct = 0;
  for (let k = 0; k < test.count; k++) {
    load(x, test, k);
    net.forward(x);
    if (net.getPrediction() === test.labels[k]) correct++;
  }
  return correct / test.count;
}

export async function W1(s) {
  const convnetjs = require('convnetjs');
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const x = new convnetjs.Vol(1, 1, 784, 0);
  let net;
  const times = await timeRuns(s.runs, () => {
    net = makeNet(convnetjs, s.hidden);
    const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: s.lr, batch_size: s.batch, momentum: 0, l2_decay: 0 });
    for (let i = 0; i < s.steps * s.batch; i++) {
      load(x, train, order[i]);
      trainer.train(x, train.labels[order[i]]);
    }
  });
  return { times, accuracy: accuracy(net, x, test) };
}

/**
 * The book's Adam over the gradients ConvNetJS has summed for one batch (then zeroed, as its Trainer
 * does): ConvNetJS 0.3.0, the npm release, has no Adam of its own (its Trainer knows sgd, adagrad,
 * windowgrad and adadelta).
 */
function adam(net, s) {
  const pairs = net.getParamsAndGrads();
  const m = pairs.map(({ params }) => new Float64Array(params.length));
  const v = pairs.map(({ params }) => new Float64Array(params.length));
  let iter = 0;
  return () => {
    iter++;
    const lrT = (s.lr * Math.sqrt(1 - s.beta2 ** iter)) / (1 - s.beta1 ** iter);
    pairs.forEach(({ params: p, grads: g }, j) => {
      const mj = m[j];
      const vj = v[j];
      for (let i = 0; i < p.length; i++) {
        const grad = g[i] / s.batch;
        mj[i] += (1 - s.beta1) * (grad - mj[i]);
        vj[i] += (1 - s.beta2) * (grad * grad - vj[i]);
        p[i] -= (lrT * mj[i]) / (Math.sqrt(vj[i]) + 1e-7);
        g[i] = 0;
      }
    });
  };
}

// Trains fresh nets of these layers one image at a time, with the book's Adam once a batch.
async function trainWithAdam(s, layers, x) {
  const convnetjs = require('convnetjs');
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const order = permutation(train.count, rng(s.seed));
  const { times, model } = await timeTraining(
    s.runs,
    () => {
      const net = new convnetjs.Net();
      net.makeLayers(layers);
      return { net, update: adam(net, s) };
    },
    ({ net, update }) => {
      for (let i = 0; i < s.steps * s.batch; i++) {
        load(x, train, order[i]);
        net.forward(x, true);
        net.backward(train.labels[order[i]]);
        if ((i + 1) % s.batch === 0) update();
      }
    },
  );
  return { times, accuracy: accuracy(model.net, x, test) };
}

export async function W2(s) {
  const { Vol } = require('convnetjs');
  const layers = [
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 },
    ...s.hidden.map((size) => ({ type: 'fc', num_neurons: size, activation: 'relu' })),
    { type: 'softmax', num_classes: 10 },
  ];
  return trainWithAdam(s, layers, new Vol(1, 1, 784, 0));
}

// A 28×28×1 Vol holds the pixels in the same row-major order as the 784 of W1's.
export async function W3(s) {
  const { Vol } = require('convnetjs');
  const layers = [
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: s.filterSize, filters: s.filters, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'fc', num_neurons: s.hidden, activation: 'relu' },
    { type: 'softmax', num_classes: 10 },
  ];
  return trainWithAdam(s, layers, new Vol(28, 28, 1, 0));
}

export async function W4(s) {
  const convnetjs = require('convnetjs');
  const test = testImages(s.images);
  const net = makeNet(convnetjs, s.hidden);
  const x = new convnetjs.Vol(1, 1, 784, 0);
  let k = 0;
  const single = await timeWarm(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      load(x, test, k++ % test.count);
      net.forward(x);
    }
  });
  const batch = await timeWarm(s.runs, () => {
    for (let j = 0; j < test.count; j++) {
      load(x, test, j);
      net.forward(x);
    }
  });
  return { latency: single.map((t) => t / s.single), throughput: batch };
}
