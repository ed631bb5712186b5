// ConvNetJS: one example at a time through Vol objects; its Trainer sums the gradients of
// batch_size examples and updates once, which is mini-batch SGD.
import { createRequire } from 'node:module';
import { loadMnist, permutation, rng, testImages, timeRuns } from '../common.mjs';

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
  let correct = 0;
  for (let k = 0; k < test.count; k++) {
    load(x, test, k);
    net.forward(x);
    if (net.getPrediction() === test.labels[k]) correct++;
  }
  return { times, accuracy: correct / test.count };
}

export async function W4(s) {
  const convnetjs = require('convnetjs');
  const test = testImages(s.images);
  const net = makeNet(convnetjs, s.hidden);
  const x = new convnetjs.Vol(1, 1, 784, 0);
  let k = 0;
  const single = await timeRuns(s.runs, () => {
    for (let i = 0; i < s.single; i++) {
      load(x, test, k++ % test.count);
      net.forward(x);
    }
  });
  const batch = await timeRuns(s.runs, () => {
    for (let j = 0; j < test.count; j++) {
      load(x, test, j);
      net.forward(x);
    }
  });
  return { latency: single.map((t) => t / s.single), throughput: batch };
}
