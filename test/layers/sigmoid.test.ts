import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sigmoid } from '../../src/layers/sigmoid.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

test('Sigmoid.forward gives the seed a1 = σ(0.9, 0.4) = (0.7109, 0.5987)', () => {
  // 1 / (1 + e^-0.9) and 1 / (1 + e^-0.4), to 1e-10
  assertClose(new Sigmoid().forward(Tensor.from([[0.9, 0.4]])).toArray(), [[0.7109495026, 0.5986876601]], 1e-10);
});

test('Sigmoid backward matches the numerical gradient', () => {
  checkLayerGradients(new Sigmoid(), randomTensor([3, 4], 11, 2));
});

test('Sigmoid saturates without NaN at ±1000', () => {
  assert.deepEqual(Array.from(new Sigmoid().forward(Tensor.from([[-1000, 1000]])).data), [0, 1]);
});
