import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNet, makeNet, type NetConfig } from '../../src/nets/by-name.js';
import { Rng } from '../../src/tensor/rng.js';

const data = (seed = 0) => ({ inputShape: [1, 28, 28] as const, classes: 10, rng: new Rng(seed) });
const layers = (config: NetConfig) => makeNet(config, data()).layers.map((l) => l.type);

test('the book’s networks by name, for the data’s input shape and classes', () => {
  const base = { activation: 'relu', init: 0.01, weightDecay: 0 } as const;
  assert.deepEqual(layers({ ...base, net: 'two-layer', hidden: [50] }), ['Affine', 'Relu', 'Affine']);
  const two = makeNet({ ...base, net: 'two-layer', hidden: [50] }, data());
  assert.deepEqual(two.params.W1.shape, [784, 50]);
  assert.deepEqual(two.params.W2.shape, [50, 10]);
  assert.deepEqual(layers({ ...base, net: 'multi-layer', hidden: [30, 20], activation: 'sigmoid', init: 'xavier' }), [
    'Affine',
    'Sigmoid',
    'Affine',
    'Sigmoid',
    'Affine',
  ]);
  assert.deepEqual(layers({ ...base, net: 'multi-layer-extend', hidden: [30], init: 'he', batchNorm: true, dropout: 0.5 }), [
    'Affine',
    'BatchNormalization',
    'Relu',
    'Dropout',
    'Affine',
  ]);
  const conv = makeNet({ ...base, net: 'simple-conv', hidden: [40] }, { ...data(), inputShape: [1, 12, 12], classes: 3 });
  assert.deepEqual(conv.inputShape, [1, 12, 12]);
  assert.deepEqual(conv.params.W2.shape, [30 * 4 * 4, 40]);
  assert.deepEqual(conv.params.W3.shape, [40, 3]);
  // the same seed, the same weights
  assert.deepEqual(
    makeNet({ ...base, net: 'two-layer', hidden: [50] }, data(3)).params.W1.data,
    makeNet({ ...base, net: 'two-layer', hidden: [50] }, data(3)).params.W1.data,
  );
});

test('each network described in one line', () => {
  assert.equal(
    describeNet({
      net: 'multi-layer-extend',
      hidden: [100, 100],
      activation: 'relu',
      init: 'he',
      weightDecay: 0.1,
      batchNorm: true,
      dropout: 0.2,
    }),
    'MultiLayerNetExtend 784-100-100-10 (relu, batch norm, dropout 0.2, weight decay λ 0.1, init he)',
  );
  assert.equal(
    describeNet({ net: 'simple-conv', hidden: [100], activation: 'relu', init: 0.01, weightDecay: 0 }),
    'SimpleConvNet 1×28×28 → conv 30×5×5 → pool 2×2 → 100 → 10 (relu, init std 0.01)',
  );
});
