import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { Affine } from '../../src/layers/affine.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

test('Affine.forward computes the seed note z1 = x·W1 + b1 = (0.9, 0.4)', () => {
  const affine = new Affine(
    Tensor.from([
      [0.1, -0.2],
      [0.4, 0.3],
    ]),
    Tensor.from([0, 0]),
  );
  assertClose(affine.forward(Tensor.from([[1, 2]])).toArray(), [[0.9, 0.4]], 1e-15);
});

test('Affine backward matches the numerical gradient for x, W and b', () => {
  checkLayerGradients(new Affine(randomTensor([4, 3], 1), randomTensor([3], 2)), randomTensor([5, 4], 3));
});

test('Affine reads N×C×H×W input as N×(C·H·W) and returns dx in the input shape', () => {
  const affine = new Affine(randomTensor([12, 3], 4), randomTensor([3], 5));
  const x = randomTensor([2, 3, 2, 2], 6);
  assert.deepEqual(affine.forward(x).shape, [2, 3]);
  checkLayerGradients(affine, x);
});

test('Affine names itself and both shapes when they do not fit', () => {
  const affine = new Affine(Tensor.zeros([2, 2]), Tensor.zeros([2]));
  affine.label = 'Affine#2';
  assert.throws(
    () => affine.forward(Tensor.zeros([1, 3])),
    (e: Error) => e instanceof ShapeError && /Affine#2\.forward: x is 1×3 but W is 2×2/.test(e.message),
  );
  assert.throws(() => new Affine(Tensor.zeros([2, 3]), Tensor.zeros([2])), /W is 2×3 but b is 2/);
  affine.forward(Tensor.zeros([1, 2]));
  assert.throws(() => affine.backward(Tensor.zeros([1, 3])), /dout is 1×3, expected 1×2/);
});

test('Affine overwrites its gradients on every pass instead of summing them', () => {
  const affine = new Affine(randomTensor([3, 2], 7), randomTensor([2], 8));
  const x = randomTensor([4, 3], 9);
  const dout = randomTensor([4, 2], 10);
  affine.forward(x);
  affine.backward(dout);
  const first = affine.grads.W.clone();
  affine.forward(x);
  affine.backward(dout);
  assert.deepEqual(affine.grads.W.data, first.data);
});
