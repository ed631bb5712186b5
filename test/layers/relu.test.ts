import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Relu } from '../../src/layers/relu.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

test('Relu passes positives, zeroes the rest, and its gradient at exactly 0 is 0', () => {
  const relu = new Relu();
  assert.deepEqual(relu.forward(Tensor.from([[-1, 0, 2]])).toArray(), [[0, 0, 2]]);
  const dout = Tensor.from([[5, 6, 7]]);
  assert.deepEqual(relu.backward(dout).toArray(), [[0, 0, 7]]);
  assert.deepEqual(dout.toArray(), [[5, 6, 7]], 'backward must not change dout');
});

test('Relu backward matches the numerical gradient away from the kink', () => {
  const x = randomTensor([4, 5], 12);
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]) < 0.01) x.data[i] = 0.5;
  checkLayerGradients(new Relu(), x);
});
