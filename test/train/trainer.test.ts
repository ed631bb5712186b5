import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subset } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Momentum } from '../../src/optim/momentum.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { classify, evaluate } from '../../src/train/evaluate.js';
import { lineChart, ticks, trainingPlot } from '../../src/train/plot.js';
import { trainNet } from '../../src/train/run.js';
import { DIVERGENCE_FACTOR, DivergenceError, Trainer } from '../../src/train/trainer.js';

const mnist = loadMnist();
const train = subset(mnist.train, 2000);
const test10k = subset(mnist.test, 1000);

function run(seed: number) {
  const rng = new Rng(seed);
  const net = new TwoLayerNet(784, 30, 10, 0.01, 'relu', { rng });
  const before = evaluate(net, test10k);
  const result = trainNet(net, new SGD(0.1), train, test10k, { iters: 200, batchSize: 50, rng });
  return { before, result };
}

test('a short MNIST run: the loss falls and test accuracy rises well above chance', () => {
  const { before, result } = run(0);
  assert.equal(result.history.length, 5); // 2000 / 50 = 40 updates an epoch
  const { losses } = result;
  const mean = (from: number, to: number) => losses.slice(from, to).reduce((s, v) => s + v, 0) / (to - from);
  assert.ok(mean(0, 20) > 2.0, `early loss ${mean(0, 20)}`); // ≈ ln 10 at the start
  assert.ok(mean(180, 200) < mean(0, 20) / 3, `late loss ${mean(180, 200)}`);
  assert.ok(before < 0.2, `untrained accuracy ${before}`);
  assert.ok(result.testAccuracy > 0.7, `test accuracy ${result.testAccuracy}`);
  assert.ok(result.history[4].trainAccuracy > result.history[0].trainAccuracy);
});

test('the same seed gives the same numbers', () => {
  const a = run(3).result;
  const b = run(3).result;
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(
    a.history.map((r) => r.testAccuracy),
    b.history.map((r) => r.testAccuracy),
  );
});

test('a diverging run stops with the iteration named', () => {
  const net = new TwoLayerNet(784, 30, 10, 0.01, 'relu', { rng: new Rng(0) });
  assert.throws(
    () => trainNet(net, new SGD(1e300), train, test10k, { iters: 50, batchSize: 50, rng: new Rng(0) }),
    /training diverged at iteration \d+: the loss is (NaN|Infinity)/,
  );
});

test('plots: round ticks, and an SVG with both charts', () => {
  assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(0, 10000, 6), [0, 2000, 4000, 6000, 8000, 10000]);
  const svg = trainingPlot(new Float64Array([2.3, 1.0, 0.5, 0.4]), [
    { epoch: 1, iteration: 2, loss: 1.6, trainAccuracy: 0.9, testAccuracy: 0.91, seconds: 1 },
    { epoch: 2, iteration: 4, loss: 0.45, trainAccuracy: 0.95, testAccuracy: 0.94, seconds: 2 },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const text of ['Training loss', 'Accuracy', 'test accuracy', 'train accuracy', 'polyline']) assert.ok(svg.includes(text), text);
  assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  assert.ok(lineChart([{ label: 'a<b', color: 'red', points: [[0, 1]] }], { title: 't', xLabel: 'x', yLabel: 'y' }).includes('a&lt;b'));
});

test('classify gives each image the class of its highest score, whatever the batch size, float64 and float32', () => {
  const net = new TwoLayerNet(784, 30, 10, 0.01, 'sigmoid', { rng: new Rng(5) });
  trainNet(net, new SGD(0.5), train, subset(mnist.test, 10), { iters: 100, batchSize: 50, rng: new Rng(6) });
  const set = subset(mnist.test, 37);
  // the reference: one image at a time, pixels / 255 by hand
  const expected = new Int32Array(set.count);
  for (let i = 0; i < set.count; i++) {
    const x = Tensor.zeros([1, 784]);
    for (let p = 0; p < 784; p++) x.data[p] = set.images[i * 784 + p] / 255;
    const scores = net.forward(x).data;
    let best = 0;
    for (let j = 1; j < 10; j++) if (scores[j] > scores[best]) best = j;
    expected[i] = best;
  }
  assert.ok(new Set(expected).size > 2, 'a net that gives one class to everything would not test much');
  for (const batch of [1, 10, 37, 100]) assert.deepEqual(classify(net, set, 'float64', batch), expected, `batch ${batch}`);
  const net32 = new TwoLayerNet(784, 30, 10, 0.01, 'sigmoid', { dtype: 'float32' });
  for (const [name, p] of Object.entries(net32.params)) p.data.set(net.params[name].data);
  assert.deepEqual(classify(net32, set, 'float32', 16), expected);
  const correct = expected.filter((c, i) => c === set.labels[i]).length;
  assert.equal(evaluate(net, set, 'float64', 8), correct / set.count);
});

test('a Trainer steps one batch at a time, ends epochs, and continues from its state bit for bit', () => {
  const make = () => {
    const rng = new Rng(4);
    const net = new TwoLayerNet(784, 20, 10, 0.01, 'relu', { rng });
    return { net, trainer: new Trainer(net, new Momentum(0.05), train, { batchSize: 200, rng }) };
  };
  const whole = make();
  assert.equal(whole.trainer.perEpoch, 10);
  for (let i = 1; i <= 25; i++) {
    const loss = whole.trainer.step();
    assert.equal(whole.trainer.iteration, i);
    assert.equal(whole.trainer.losses[i - 1], loss);
    assert.equal(whole.trainer.atEpochEnd, i % 10 === 0);
    if (whole.trainer.atEpochEnd) whole.trainer.endEpoch(train, test10k);
  }
  assert.deepEqual(
    whole.trainer.history.map((r) => [r.epoch, r.iteration]),
    [
      [1, 10],
      [2, 20],
    ],
  );
  assert.ok(whole.trainer.history[1].seconds >= whole.trainer.history[0].seconds);

  // the same run, stopped mid-epoch after 13 steps and continued by a new trainer from the state
  const first = make();
  for (let i = 0; i < 13; i++) {
    first.trainer.step();
    if (first.trainer.atEpochEnd) first.trainer.endEpoch(train, test10k);
  }
  const state = first.trainer.state();
  const second = make();
  for (const name of Object.keys(first.net.params)) second.net.params[name].data.set(first.net.params[name].data);
  second.trainer.restore(state);
  while (second.trainer.iteration < 25) {
    second.trainer.step();
    if (second.trainer.atEpochEnd) second.trainer.endEpoch(train, test10k);
  }
  assert.deepEqual(second.trainer.losses, whole.trainer.losses);
  assert.deepEqual(second.net.params.W2.data, whole.net.params.W2.data);
  assert.deepEqual(
    second.trainer.history.map((r) => r.testAccuracy),
    whole.trainer.history.map((r) => r.testAccuracy),
  );
});

test('a Trainer told not to stop on divergence trains on through a loss that is not finite', () => {
  const rng = new Rng(0);
  const net = new TwoLayerNet(784, 30, 10, 0.01, 'relu', { rng });
  const trainer = new Trainer(net, new SGD(1e300), train, { batchSize: 50, rng, stopOnDivergence: false });
  for (let i = 0; i < 5; i++) trainer.step();
  assert.equal(trainer.iteration, 5);
  assert.ok(!Number.isFinite(trainer.losses[4]), `loss ${trainer.losses[4]}`);
});

test('a loss that explodes is divergence though it is finite: above 1000 times the larger of ln C and the first loss', () => {
  const rng = new Rng(0);
  const exploding = new TwoLayerNet(784, 30, 10, 0.01, 'relu', { rng });
  assert.throws(
    () => trainNet(exploding, new SGD(1e6), train, test10k, { iters: 200, batchSize: 50, rng }),
    (e: Error) =>
      e instanceof DivergenceError &&
      e.iteration === 2 &&
      e.layer === 'SoftmaxWithLoss#4' &&
      /the loss is 3\.4\d+e\+9, more than 1000 times 2\.303 \(the larger of ln 10 and the run's first loss\) in SoftmaxWithLoss#4, expected a loss that does not explode/.test(
        e.message,
      ),
  );
  // a run that starts far off (weights of standard deviation 3: a first loss of about 420) and a
  // noisy one (lr 3) are not diverging: neither comes near its bound
  for (const [std, lr] of [
    [3, 0.1],
    [0.01, 3],
  ]) {
    const r = new Rng(0);
    const net = new TwoLayerNet(784, 30, 10, std, 'relu', { rng: r });
    const { losses } = trainNet(net, new SGD(lr), train, test10k, { iters: 200, batchSize: 50, rng: r });
    assert.ok(Math.max(...losses) < (DIVERGENCE_FACTOR * Math.max(Math.log(10), losses[0])) / 100, `std ${std}, lr ${lr}`);
  }
});
