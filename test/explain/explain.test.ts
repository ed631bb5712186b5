import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleToJSON } from '../../src/explain/explain.js';
import { explanationToText } from '../../src/explain/render-text.js';
import { seedExplanation } from '../../src/explain/seed-example.js';
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
    seedExplanation().trace.steps.map((s) => s.name),
    STEP_NAMES,
  );
});

test('the worked example matches the seed true values to 4 decimals', () => {
  const truth = fixture<Example>('seed-true-values.json');
  const json = exampleToJSON(seedExplanation());
  for (const name of STEP_NAMES) assertClose(json.steps[name], truth.steps[name], 5e-5, name);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'loss', 'lr']) assertClose(json.update[name], truth.update[name], 5e-5, name);
});

test('the worked example matches NumPy in float64', () => {
  const numpy = fixture<Example>('seed-example.json');
  const json = exampleToJSON(seedExplanation());
  for (const name of STEP_NAMES) assertClose(json.steps[name], numpy.steps[name], 1e-15, name);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'loss']) assertClose(json.update[name], numpy.update[name], 1e-15, name);
});

test('the text shows formulas, the numbers put in, and the values', () => {
  const text = explanationToText(seedExplanation());
  for (const line of [
    '  z1 = x·W1 + b1',
    '     = (1.0000 2.0000)·⎡ 0.1000  −0.2000 ⎤ + (0.0000 0.0000)',
    '     = (0.9000 0.4000)',
    '      = (0.7109 0.5987)ᵀ·(−0.4682 0.4682)',
    '      = ⎡ −0.3329  0.3329 ⎤',
    '  da1 = dz2·W2ᵀ',
    '      = (−0.2809 0.2341)',
    '     = (−0.0170 −0.0062)',
    '  loss after the update = 0.5501 (before: 0.6316)',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  }
});
