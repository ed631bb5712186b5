import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { checkWork, parseWorked } from '../../src/explain/check.js';
import { explainPass, explanationToJSON } from '../../src/explain/explain.js';
import { explanationToMarkdown } from '../../src/explain/render-markdown.js';
import { explanationToText } from '../../src/explain/render-text.js';
import { MultiLayerNetExtend } from '../../src/nets/multi-layer-net.js';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { type Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { randomTensor } from '../helpers/gradcheck.js';

type Steps = { steps: { name: string; formula: string; value: Nested }[] };

test('explain names the steps of a convolutional network by the rule and shows backprop’s own values', () => {
  const net = new SimpleConvNet({
    inputDim: [1, 6, 6],
    filterNum: 2,
    filterSize: 3,
    hiddenSize: 4,
    outputSize: 3,
    weightInit: 0.5,
    rng: new Rng(1),
  });
  const x = randomTensor([2, 1, 6, 6], 2);
  const t = Tensor.from([0, 2]);
  const json = explanationToJSON(explainPass(net, x, t)) as Steps;
  assert.deepEqual(
    json.steps.map((s) => s.name),
    [
      'z1',
      'a1',
      'p1',
      'z2',
      'a2',
      'z3',
      'y',
      'loss',
      'dz3',
      'dW3',
      'db3',
      'da2',
      'dz2',
      'dW2',
      'db2',
      'dp1',
      'da1',
      'dz1',
      'dW1',
      'db1',
      'dx',
    ],
  );
  const step = (n: string) => json.steps.find((s) => s.name === n);
  assert.equal(step('z1')?.formula, 'z1 = conv(x, W1) + b1');
  assert.equal(step('p1')?.formula, 'p1 = maxpool(a1)');
  const grads = net.gradient(x, t, { train: false, inputGradient: true });
  for (const name of ['W1', 'b1', 'W2', 'W3']) assertClose(step(`d${name}`)?.value, grads[name].toArray(), 1e-15, name);
  assertClose(step('dx')?.value, net.lastInputGradient?.toArray() as Nested, 1e-15, 'dx');
  assert.match(explanationToText(explainPass(net, x, t)), /p1 = maxpool\(a1\)/);
  assert.match(explanationToMarkdown(explainPass(net, x, t)), /\$\$z_\{1\} = \\operatorname\{conv\}\(x, W_\{1\}\) \+ b_\{1\} = /);
});

test('explain follows batch normalization and dropout; check refuses to judge their steps but checks the others', () => {
  const net = new MultiLayerNetExtend(3, [4], 2, {
    batchNorm: true,
    dropout: 0.25,
    activation: 'sigmoid',
    weightInit: 0.5,
    rng: new Rng(3),
  });
  const json = explanationToJSON(explainPass(net, randomTensor([2, 3], 4), Tensor.from([1, 0]))) as Steps;
  assert.deepEqual(
    json.steps.map((s) => s.name),
    ['z1', 'n1', 'a1', 'm1', 'z2', 'y', 'loss', 'dz2', 'dW2', 'db2', 'dm1', 'da1', 'dn1', 'dgamma1', 'dbeta1', 'dz1', 'dW1', 'db1', 'dx'],
  );
  const model = net.toJSON();
  const x = randomTensor([2, 3], 4).toArray();
  const truth = (name: string) => json.steps.find((s) => s.name === name)?.value as number[][];
  const worked = (claimed: Record<string, unknown>) => ({ model, x, t: [1, 0], decimals: 4, claimed });
  const fmt = (rows: number[][]) => rows.map((r) => r.map((v) => v.toFixed(4)));
  const result = checkWork(parseWorked(worked({ z2: fmt(truth('z2')), dW2: fmt(truth('dW2')) })));
  assert.deepEqual(
    result.steps.map((s) => s.status),
    ['ok', 'ok'],
  );
  assert.throws(
    () => checkWork(parseWorked(worked({ n1: fmt(truth('n1')) }))),
    (e: Error) =>
      e instanceof InputError && /claimed.n1 is a step of BatchNormalization#2, which check cannot recompute yet/.test(e.message),
  );
});
