import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Dropout } from '../../src/layers/dropout.js';
import { MultiLayerNet, MultiLayerNetExtend } from '../../src/nets/multi-layer-net.js';
import { compareGradients } from '../../src/nets/numerical-gradient.js';
import type { Sequential } from '../../src/nets/sequential.js';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.js';
import { initStd } from '../../src/nets/weight-init.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/gradcheck.js';

function checkNet(net: Sequential, x: Tensor, t: Tensor, train = false, tolerance = 1e-7): void {
  const numerical = net.numericalGradient(x, t, train);
  const grads = net.gradient(x, t, { train });
  for (const name of Object.keys(net.params)) {
    const { relative, maxAbs } = compareGradients(grads[name], numerical[name]);
    // b before a training-mode BatchNormalization has a gradient of exactly 0 (the batch mean
    // cancels it): there only the absolute difference means anything.
    assert.ok(relative < tolerance || maxAbs < 1e-10, `${name}: relative difference ${relative}, max ${maxAbs}`);
  }
}

const t5 = Tensor.from([0, 2, 1, 2, 0]);

test('MultiLayerNet (relu, he, weight decay): backprop agrees with the numerical gradient', () => {
  const net = new MultiLayerNet(6, [5, 4, 5], 3, { weightInit: 'he', weightDecay: 0.1, rng: new Rng(1) });
  assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4']);
  checkNet(net, randomTensor([5, 6], 2), t5);
});

test('MultiLayerNet (tanh, xavier) backprop agrees with the numerical gradient', () => {
  checkNet(new MultiLayerNet(6, [4, 4], 3, { activation: 'tanh', weightInit: 'xavier', rng: new Rng(3) }), randomTensor([5, 6], 4), t5);
});

test('MultiLayerNetExtend with batch norm and dropout (fixed masks), in training: backprop agrees with the numerical gradient', () => {
  const net = new MultiLayerNetExtend(6, [5, 4], 3, { batchNorm: true, dropout: 0.3, weightDecay: 0.05, weightInit: 0.5, rng: new Rng(5) });
  assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
  assert.deepEqual(
    net.layers.map((l) => l.type),
    ['Affine', 'BatchNormalization', 'Relu', 'Dropout', 'Affine', 'BatchNormalization', 'Relu', 'Dropout', 'Affine'],
  );
  // a fixed mask per Dropout (batch 5 × its 5 or 4 units), so that repeated forwards agree
  for (const layer of net.layers) {
    if (!(layer instanceof Dropout)) continue;
    layer.useMask(Uint8Array.from({ length: 5 * (layer === net.layers[3] ? 5 : 4) }, (_, i) => (i % 4 === 1 ? 0 : 1)));
  }
  const x = randomTensor([5, 6], 6, 2);
  checkNet(net, x, t5, true);
  checkNet(net, x, t5, false);
  assert.ok(net.layers.some((l) => l instanceof BatchNormalization));
});

test('SimpleConvNet on a tiny 2×6×6 input (3 filters 3×3, pad 1): backprop agrees with the numerical gradient', () => {
  const net = new SimpleConvNet({
    inputDim: [2, 6, 6],
    filterNum: 3,
    filterSize: 3,
    pad: 1,
    hiddenSize: 5,
    outputSize: 3,
    weightInit: 0.3,
    rng: new Rng(7),
  });
  assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  assert.deepEqual(net.params.W2.shape, [3 * 3 * 3, 5]);
  assert.deepEqual(net.inputShape, [2, 6, 6]);
  checkNet(net, randomTensor([3, 2, 6, 6], 8), Tensor.from([0, 2, 1]));
});

test('the book SimpleConvNet: 30×1×5×5 filters, 4320 → 100 → 10, weights of std 0.01', () => {
  const net = new SimpleConvNet({ rng: new Rng(0) });
  assert.deepEqual(
    ['W1', 'W2', 'W3'].map((k) => net.params[k].shape),
    [
      [30, 1, 5, 5],
      [4320, 100],
      [100, 10],
    ],
  );
  const w = Array.from(net.params.W2.data);
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - 0.01) < 0.0002, `std ${std}`);
});

test('weight init: he √(2/n), xavier √(1/n) with n the fan-in; weight decay adds λ/2·ΣW² to the loss', () => {
  assert.equal(initStd('he', 50), 0.2);
  assert.equal(initStd('xavier', 100), 0.1);
  const net = new MultiLayerNet(784, [100], 10, { weightInit: 'he', rng: new Rng(0) });
  const w = Array.from(net.params.W1.data);
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 784)) < 0.001, `std ${std}`);
  const x = randomTensor([2, 3], 9);
  const t = Tensor.from([0, 1]);
  const plain = new MultiLayerNet(3, [2], 2, { weightInit: 1, rng: new Rng(2) });
  const decayed = new MultiLayerNet(3, [2], 2, { weightInit: 1, weightDecay: 0.5, rng: new Rng(2) });
  let sum = 0;
  for (const k of ['W1', 'W2']) for (const v of plain.params[k].data) sum += v * v;
  assert.ok(Math.abs(decayed.loss(x, t) - plain.loss(x, t) - 0.25 * sum) < 1e-12);
});
