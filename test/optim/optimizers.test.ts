import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParamDict } from '../../src/nets/sequential.js';
import { AdaGrad } from '../../src/optim/adagrad.js';
import { Adam } from '../../src/optim/adam.js';
import { Momentum } from '../../src/optim/momentum.js';
import { Nesterov } from '../../src/optim/nesterov.js';
import { makeOptimizer, optimizerNames } from '../../src/optim/optimizers.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { type Optimizer, SGD } from '../../src/optim/sgd.js';
import { type Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';

interface Fixture {
  params: Record<string, Nested>;
  grads: Record<string, Nested>[];
  cases: { optimizer: string; settings: Record<string, number>; steps: Record<string, Nested>[] }[];
}

function make(name: string, s: Record<string, number>): Optimizer {
  if (name === 'SGD') return new SGD(s.lr);
  if (name === 'Momentum') return new Momentum(s.lr, s.momentum);
  if (name === 'Nesterov') return new Nesterov(s.lr, s.momentum);
  if (name === 'AdaGrad') return new AdaGrad(s.lr);
  if (name === 'RMSprop') return new RMSprop(s.lr, s.decayRate);
  if (name === 'Adam') return new Adam(s.lr, s.beta1, s.beta2);
  throw new Error(name);
}

const numpy = fixture<Fixture>('optimizers.json');
const toParams = (json: Record<string, Nested>): ParamDict => Object.fromEntries(Object.entries(json).map(([k, v]) => [k, Tensor.from(v)]));

for (const c of numpy.cases) {
  test(`${c.optimizer} ${JSON.stringify(c.settings)}: four steps match the book's update rule in NumPy`, () => {
    const optimizer = make(c.optimizer, c.settings);
    const params = toParams(numpy.params);
    c.steps.forEach((expected, i) => {
      optimizer.update(params, toParams(numpy.grads[i]));
      for (const [name, value] of Object.entries(expected)) assertClose(params[name].toArray(), value, 1e-13, `step ${i + 1} ${name}`);
    });
  });
}

test('makeOptimizer uses the book defaults; every optimizer leaves the gradients alone and names a missing one', () => {
  assert.equal((makeOptimizer('adam') as Adam).lr, 0.001);
  assert.equal((makeOptimizer('momentum') as Momentum).momentum, 0.9);
  assert.equal((makeOptimizer('rmsprop') as RMSprop).decayRate, 0.99);
  for (const name of optimizerNames) {
    const optimizer = makeOptimizer(name);
    const params = { W1: Tensor.from([[1, 2]]) };
    const grad = Tensor.from([[0.5, -0.5]]);
    optimizer.update(params, { W1: grad });
    assert.deepEqual(grad.toArray(), [[0.5, -0.5]]);
    assert.throws(() => optimizer.update(params, {}), /update: no gradient for W1/);
    assert.throws(() => optimizer.update(params, { W1: Tensor.zeros([3]) }), /W1 is 1×2 but its gradient is 3/);
  }
  assert.throws(() => new Adam(0), /Adam: learning rate is 0/);
  assert.throws(() => new Momentum(0.1, 1), /Momentum: momentum is 1/);
});
