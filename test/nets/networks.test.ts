import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataFromJSON } from '../../src/io/data-json.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { compareGradients } from '../../src/nets/numerical-gradient.js';
import type { ParamDict } from '../../src/nets/sequential.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Nested } from '../../src/tensor/tensor.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { randomTensor } from '../helpers/gradcheck.js';

interface Case {
  name: string;
  model: unknown;
  data: unknown;
  expected: { loss: number; y: Nested; dx: Nested; grads: Record<string, Nested>[] };
}

for (const c of fixture<{ cases: Case[] }>('networks.json').cases) {
  test(`backprop matches NumPy: ${c.name}`, () => {
    const net = modelFromJSON(c.model);
    const { x, t } = dataFromJSON(c.data, net);
    net.gradient(x, t, { inputGradient: true });
    assertClose(net.lastLoss, c.expected.loss, 1e-12, 'loss');
    assertClose(net.lastLayer.y?.toArray(), c.expected.y, 1e-12, 'y');
    assertClose(net.lastInputGradient?.toArray(), c.expected.dx, 1e-12, 'dx');
    net.layers.forEach((layer, i) => {
      for (const [name, grad] of Object.entries(layer.grads as ParamDict))
        assertClose(grad.toArray(), c.expected.grads[i][name], 1e-12, `layer ${i} d${name}`);
    });
  });
}

for (const activation of ['relu', 'sigmoid'] as const) {
  test(`TwoLayerNet (${activation}): backprop agrees with the numerical gradient to 1e-7`, () => {
    const net = new TwoLayerNet(6, 5, 3, 0.5, activation, { rng: new Rng(2) });
    const x = randomTensor([4, 6], 21);
    const t = Tensor.from([0, 2, 1, 2]);
    const numerical = net.numericalGradient(x, t);
    const grads = net.gradient(x, t);
    assert.deepEqual(Object.keys(grads), ['W1', 'b1', 'W2', 'b2']);
    for (const name of Object.keys(grads)) assert.ok(compareGradients(grads[name], numerical[name]).relative < 1e-7, name);
  });
}

test('TwoLayerNet: same seed, same weights; init std as asked', () => {
  const a = new TwoLayerNet(784, 50, 10, 0.01, 'relu', { rng: new Rng(5) });
  const b = new TwoLayerNet(784, 50, 10, 0.01, 'relu', { rng: new Rng(5) });
  assert.deepEqual(a.params.W1.data, b.params.W1.data);
  const w = Array.from(a.params.W1.data);
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - 0.01) < 0.0002, `std ${std}`);
  assert.ok(a.params.b1.data.every((v) => v === 0));
});

test('training steps lower the loss, and gradient() leaves dx alone unless asked', () => {
  const net = new TwoLayerNet(6, 8, 3, 0.5, 'relu', { rng: new Rng(3) });
  const x = randomTensor([10, 6], 22);
  const t = Tensor.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  const sgd = new SGD(0.5);
  const before = net.loss(x, t);
  for (let i = 0; i < 50; i++) sgd.update(net.params, net.gradient(x, t));
  assert.equal(net.lastInputGradient, undefined);
  assert.ok(net.loss(x, t) < before / 2);
});
