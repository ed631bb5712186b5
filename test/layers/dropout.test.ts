import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dropout } from '../../src/layers/dropout.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

test('Dropout in training zeroes about ratio of the units with a seeded mask; inference scales by 1 − ratio', () => {
  const x = Tensor.zeros([100, 100]);
  x.data.fill(2);
  const a = new Dropout(0.3, new Rng(4)).forward(x, true).clone();
  const b = new Dropout(0.3, new Rng(4)).forward(x, true).clone();
  assert.deepEqual(a.data, b.data, 'same seed, same mask');
  const kept = a.data.filter((v) => v === 2).length;
  assert.equal(a.data.filter((v) => v === 0).length + kept, x.size);
  assert.ok(Math.abs(kept / x.size - 0.7) < 0.02, `kept ${kept}`);
  assert.ok(new Dropout(0.3).forward(x, false).data.every((v) => Math.abs(v - 1.4) < 1e-15));
});

test('Dropout backward passes dout through the same mask, and matches the numerical gradient with a fixed mask', () => {
  const dropout = new Dropout(0.5, new Rng(1));
  const x = randomTensor([3, 4], 2);
  const out = dropout.forward(x, true).clone();
  const dx = dropout.backward(Tensor.from(Array.from({ length: 3 }, () => [1, 1, 1, 1])));
  for (let i = 0; i < x.size; i++) assert.equal(dx.data[i], out.data[i] === 0 ? 0 : 1);
  const mask = Uint8Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 0 : 1));
  dropout.useMask(mask);
  checkLayerGradients(dropout, x, { train: true });
  checkLayerGradients(new Dropout(0.25), x, { train: false });
});

test('Dropout rejects a ratio outside [0, 1)', () => {
  assert.throws(() => new Dropout(1), /ratio is 1, expected a number from 0 up to/);
  assert.throws(() => new Dropout(-0.1), /ratio is -0.1/);
});
