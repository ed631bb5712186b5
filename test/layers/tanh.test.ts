import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tanh } from '../../src/layers/tanh.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

test('Tanh.forward is tanh', () => {
  // tanh(1) = 0.761594155955765, tanh(-2) = -0.964027580075817
  assertClose(new Tanh().forward(Tensor.from([[0, 1, -2]])).toArray(), [[0, 0.761594155955765, -0.964027580075817]], 1e-15);
  assert.deepEqual(Array.from(new Tanh().forward(Tensor.from([[-800, 800]])).data), [-1, 1]);
});

test('Tanh backward matches the numerical gradient', () => {
  checkLayerGradients(new Tanh(), randomTensor([3, 4], 15));
});
