import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { type Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

interface Case {
  x: Nested;
  gamma: Nested;
  beta: Nested;
  out: Nested;
  dout: Nested;
  dx: Nested;
  dgamma: Nested;
  dbeta: Nested;
  runningMean: Nested;
  runningVar: Nested;
  xTest: Nested;
  outTest: Nested;
}

for (const c of fixture<{ cases: Case[] }>('batch-norm.json').cases) {
  const x = Tensor.from(c.x);
  test(`BatchNormalization on ${x.shape.join('×')} matches the book's formulas in NumPy`, () => {
    const bn = new BatchNormalization(Tensor.from(c.gamma), Tensor.from(c.beta));
    assertClose(bn.forward(x, true).toArray(), c.out, 1e-12, 'out');
    assertClose(bn.backward(Tensor.from(c.dout)).toArray(), c.dx, 1e-12, 'dx');
    assertClose(bn.grads.gamma.toArray(), c.dgamma, 1e-12, 'dgamma');
    assertClose(bn.grads.beta.toArray(), c.dbeta, 1e-12, 'dbeta');
    assertClose(bn.runningMean.toArray(), c.runningMean, 1e-12, 'running mean');
    assertClose(bn.runningVar.toArray(), c.runningVar, 1e-12, 'running variance');
    assertClose(bn.forward(Tensor.from(c.xTest), false).toArray(), c.outTest, 1e-10, 'inference');
  });
}

test('BatchNormalization backward matches the numerical gradient in training (batch 4; with 2 the normalised pair is ±1 and dx ≈ 0) and in inference', () => {
  checkLayerGradients(new BatchNormalization(randomTensor([5], 1, 0.3), randomTensor([5], 2)), randomTensor([4, 5], 3, 2), { train: true });
  checkLayerGradients(new BatchNormalization(randomTensor([12], 4), randomTensor([12], 5)), randomTensor([4, 3, 2, 2], 6), { train: true });
  const bn = new BatchNormalization(randomTensor([3], 7), randomTensor([3], 8), {
    runningMean: randomTensor([3], 9),
    runningVar: Tensor.from([0.5, 1, 2]),
  });
  checkLayerGradients(bn, randomTensor([2, 3], 10), { train: false });
});

test('BatchNormalization checks its shapes and settings', () => {
  const bn = new BatchNormalization(Tensor.zeros([3]), Tensor.zeros([3]));
  bn.label = 'BatchNormalization#2';
  assert.throws(
    () => bn.forward(Tensor.zeros([2, 4]), true),
    (e: Error) => e instanceof ShapeError && /BatchNormalization#2\.forward: x is 2×4 but gamma is 3/.test(e.message),
  );
  assert.throws(() => bn.forward(Tensor.zeros([1, 3]), true), /expected a batch of at least 2 in training/);
  assert.throws(() => new BatchNormalization(Tensor.zeros([3]), Tensor.zeros([2])), /gamma is 3 but beta is 2, expected 3/);
  assert.throws(() => new BatchNormalization(Tensor.zeros([2]), Tensor.zeros([2]), { momentum: 2 }), /momentum is 2/);
  assert.throws(() => new BatchNormalization(Tensor.zeros([2]), Tensor.zeros([2]), { eps: 0 }), /eps is 0/);
  assert.deepEqual(bn.outputShape([5, 3]), [5, 3]);
  assert.throws(() => bn.outputShape([5, 2, 2]), /BatchNormalization#2: x is 5×2×2 \(4 features\) but gamma is 3, expected 3 features/);
});
