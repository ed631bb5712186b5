import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ShapeError } from '../../src/errors.js';
import { SoftmaxWithLoss } from '../../src/layers/softmax-with-loss.js';
import { compareGradients, numericalGradient } from '../../src/nets/numerical-gradient.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { randomTensor } from '../helpers/gradcheck.js';

const seed = fixture<{ steps: Record<string, number[][] | number> }>('seed-example.json');

test('SoftmaxWithLoss gives the seed y, loss and dz2 (NumPy reference)', () => {
  const layer = new SoftmaxWithLoss();
  const loss = layer.forward(Tensor.from(seed.steps.z2 as number[][]), Tensor.from([[1, 0]]));
  assertClose(loss, seed.steps.loss as number, 1e-14);
  assertClose(layer.y?.toArray(), seed.steps.y as number[][], 1e-15);
  assertClose(layer.backward().toArray(), seed.steps.dz2 as number[][], 1e-15);
});

test('class indices and one-hot rows give the same loss and gradient', () => {
  const x = randomTensor([4, 3], 13);
  const a = new SoftmaxWithLoss();
  const b = new SoftmaxWithLoss();
  const lossA = a.forward(x, Tensor.from([2, 0, 1, 2]));
  const lossB = b.forward(
    x,
    Tensor.from([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]),
  );
  assertClose(lossA, lossB, 1e-15);
  assertClose(a.backward().toArray(), b.backward().toArray(), 1e-16);
});

test('the loss is exact and finite for huge scores (log-sum-exp, no +1e-7)', () => {
  const layer = new SoftmaxWithLoss();
  // log(1 + e^-1000) is 0 in float64; −log y of the wrong class is 1000.
  assert.equal(layer.forward(Tensor.from([[1000, 0]]), Tensor.from([[0, 1]])), 1000);
  assert.equal(layer.forward(Tensor.from([[1000, 0]]), Tensor.from([[1, 0]])), 0);
});

test('SoftmaxWithLoss backward is the numerical gradient of the mean loss', () => {
  const x = randomTensor([3, 4], 14);
  const t = Tensor.from([1, 3, 0]);
  const layer = new SoftmaxWithLoss();
  layer.forward(x, t);
  const dx = layer.backward().clone();
  const numerical = numericalGradient(() => layer.forward(x, t), x);
  assert.ok(compareGradients(dx, numerical).relative < 1e-8);
});

test('targets that do not fit the scores are named errors', () => {
  const layer = new SoftmaxWithLoss();
  assert.throws(
    () => layer.forward(Tensor.zeros([2, 3]), Tensor.from([0, 3])),
    (e: Error) => e instanceof InputError && /SoftmaxWithLoss: t\[1\] is 3, expected a class index 0…2/.test(e.message),
  );
  assert.throws(
    () => layer.forward(Tensor.zeros([2, 3]), Tensor.zeros([2, 2])),
    (e: Error) => e instanceof ShapeError && /t is 2×2/.test(e.message),
  );
  assert.throws(() => layer.forward(Tensor.zeros([2, 3]), Tensor.from([0.5, 1])), /t\[0\] is 0.5, expected a class index 0…2/);
});
