import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleToJSON, exampleToText, workExample } from '../../src/explain/worked-example.js';
import type { Nested } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';

interface Example {
  steps: Record<string, Nested>;
  update: Record<string, Nested>;
}

const STEP_NAMES = ['z1', 'a1', 'z2', 'y', 'loss', 'dz2', 'dW2', 'db2', 'da1', 'dz1', 'dW1', 'db1', 'dx'];

test('the worked example has the 13 steps of the note, in order, named by the rule', () => {
  assert.deepEqual(
    workExample().trace.steps.map((s) => s.name),
    STEP_NAMES,
  );
});

test('the worked example matches the seed true values to 4 decimals', () => {
  const truth = fixture<Example>('seed-true-values.json');
  const json = exampleToJSON(workExample());
  for (const name of STEP_NAMES) assertClose(json.steps[name], truth.steps[name], 5e-5, name);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'loss', 'lr']) assertClose(json.update[name], truth.update[name], 5e-5, name);
});

test('the worked example matches NumPy in float64', () => {
  const numpy = fixture<Example>('seed-example.json');
  const json = exampleToJSON(workExample());
  for (const name of STEP_NAMES) assertClose(json.steps[name], numpy.steps[name], 1e-15, name);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'loss']) assertClose(json.update[name], numpy.update[name], 1e-15, name);
});

test('the text shows formulas, numbers and the Korean headings of the note', () => {
  const text = exampleToText(workExample());
  for (const line of [
    'z1 = x·W1 + b1 = (0.9000 0.4000)',
    'dW2 = a1ᵀ·dz2 = ⎡ −0.3329   0.3329 ⎤',
    'da1 = dz2·W2ᵀ = (−0.2809 0.2341)',
    'dx = dz1·W1ᵀ = (−0.0170 −0.0062)',
    '순전파',
    '역전파',
    '가중치 갱신',
    'loss after the update = 0.5501 (before: 0.6316)',
  ]) {
    assert.ok(text.includes(line), `missing: ${line}`);
  }
});
