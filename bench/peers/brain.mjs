// brain.js: its NeuralNetwork trains one example at a time (no mini-batches) on a squared error,
// so one epoch here is batch × steps examples of online updates, momentum off (1e-9: it refuses 0).
import { createRequire } from 'node:module';
import { loadMnist, permutation, rng, testImages, timeRuns, timeWarm } from '../common.mjs';

const require = createRequire(import.meta.url);

function examples(set, order, count) {
  const data = [];
  for (let i = 0; i < count; i++) {
    const k = order[i];
    const input = Array.from(set.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
    const output = new Array(10).fill(0);
    output[set.labels[k]] = 1;
    data.push({ input, output });
  }
  return data;
}

export async function W1(s) {
  const { NeuralNetwork } = require('brain.js');
  const { train } = loadMnist();
  const test = testImages(s.evalImages);
  const data = examples(train, permutation(train.count, rng(s.seed)), s.steps * s.batch);
  let net;
  const times = await timeRuns(s.runs, () => {
    net = new NeuralNetwork({ hiddenLayers: [s.hidden], activation: 'sigmoid', learningRate: s.lr });
    net.train(data, { iterations: 1, errorThresh: 0.001, momentum: 1e-9, learningRate: s.lr, log: false });
  });
  let correct = 0;
  for (const { input, output } of examples(test, permutation(test.count, rng(0)), test.count)) {
    const y = net.run(input);
    if (argmax(y) === output.indexOf(1)) correct++;
  }
  return { times, accuracy: correct / test.count };
}

export async function W4(s) {
  const { NeuralNetwork } = require('brain.js');
  const { train } = loadMnist();
  const test = testImages(s.images);
  const net = new NeuralNetwork({ hiddenLayers: [s.hidden], activation: 'sigmoid' });
  net.train(examples(train, permutation(train.count, rng(s.seed)), 10), { iterations: 1, log: false });
  const data = examples(
    test,
    Int32Array.from({ length: test.count }, (_, i) => i),
    test.count,
  );
  let k = 0;
  const single = await timeWarm(s.runs, () => {
    for (let i = 0; i < s.single; i++) net.run(data[k++ % data.length].input);
  });
  const batch = await timeWarm(s.runs, () => {
    for (const { input } of data) net.run(input);
  });
  return { latency: single.map((t) => t / s.single), throughput: batch };
}

function argmax(y) {
  let best = 0;
  for (let j = 1; j < y.length; j++) if (y[j] > y[best]) best = j;
  return best;
}
