import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScratchnetError } from '../../src/errors.js';
import { checkWork, parseWorked } from '../../src/explain/check.js';
import { checkToJSON, checkToText } from '../../src/explain/render-check.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

const seedNote = () => JSON.parse(readFileSync(join(repoRoot, 'examples', 'seed-note.json'), 'utf8'));

function verdicts(worked: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of checkWork(parseWorked(worked)).steps) out[v.name] = v.diagnosis ? `${v.status} ${v.diagnosis}` : v.status;
  return out;
}

test('the seed note: its two forgotten transposes, its slips, and what they carried', () => {
  assert.deepEqual(verdicts(seedNote()), {
    z1: 'ok',
    a1: 'ok',
    z2: 'wrong arithmetic',
    y: 'ok',
    loss: 'wrong arithmetic',
    dz2: 'ok',
    dW2: 'ok',
    db2: 'ok',
    da1: 'wrong missing-transpose',
    dz1: 'carried',
    dW1: 'carried',
    db1: 'carried',
    dx: 'wrong missing-transpose',
  });
});

interface WorkedCase {
  name: string;
  worked: unknown;
  expected: Record<string, string[]>;
}

for (const c of fixture<{ cases: WorkedCase[] }>('worked.json').cases) {
  test(`check: ${c.name}`, () => {
    const expected = Object.fromEntries(Object.entries(c.expected).map(([k, v]) => [k, v.join(' ')]));
    assert.deepEqual(verdicts(c.worked), expected);
  });
}

test('tolerance comes from how each number is written when decimals is absent', () => {
  const worked = seedNote();
  delete worked.decimals;
  worked.claimed = { z1: [['0.9', '0.4']], a1: [['0.71', '0.60']], loss: '0.63', y: [[0.5318, 0.4682]] };
  assert.deepEqual(verdicts(worked), { z1: 'ok', a1: 'ok', y: 'ok', loss: 'ok' });
  worked.claimed = { a1: [['0.7100', '0.5987']] }; // 4 decimals: 0.7100 is 0.0009 off
  assert.deepEqual(verdicts(worked), { a1: 'wrong arithmetic' });
});

test('a subset of steps, numbers or strings, rows written as vectors', () => {
  const worked = seedNote();
  worked.claimed = {
    dW1: [
      [-0.058, 0.056],
      [-0.115, 0.112],
    ],
    dx: ['−0.017', '−0.006'],
  };
  assert.deepEqual(verdicts(worked), { dW1: 'ok', dx: 'ok' });
});

test('bad worked files are one-line errors', () => {
  const bad = (change: (w: Record<string, unknown>) => void, message: RegExp) => {
    const worked = seedNote();
    change(worked);
    assert.throws(
      () => checkWork(parseWorked(worked)),
      (e: Error) => e instanceof ScratchnetError && message.test(e.message) && !e.message.includes('\n'),
      String(message),
    );
  };
  bad((w) => {
    (w.claimed as Record<string, unknown>).dz9 = '1';
  }, /claimed.dz9 is not a step of this network, expected one of z1, a1, z2, y, loss/);
  bad((w) => {
    (w.claimed as Record<string, unknown>).dW2 = [['1', '2', '3']];
  }, /claimed.dW2 is 1×3, expected 2×2/);
  bad((w) => {
    (w.claimed as Record<string, unknown>).z1 = [['0.9', 'zero']];
  }, /claimed.z1\[0\]\[1\] is "zero", expected a number/);
  bad((w) => {
    delete w.claimed;
  }, /worked file has no "claimed"/);
  bad((w) => {
    w.decimals = -1;
  }, /decimals is -1, expected a whole number/);
  bad((w) => {
    w.x = [[1, 2, 3]];
  }, /data.x is 1×3 but Affine#1 takes 2 inputs/);
});

test('check output in English and Korean, text and JSON', () => {
  const result = checkWork(parseWorked(seedNote()));
  const en = checkToText(result);
  assert.match(en, /da1 +✗ wrong +\(−0\.374 0\.140\) +\(−0\.281 0\.234\)/);
  assert.match(en, /✗ da1: missing transpose: you computed dz2·W2 = \(−0\.374 0\.140\) where dz2·W2ᵀ belongs/);
  assert.match(en, /↪ dz1: carried from your da1/);
  assert.match(en, /6 ok, 3 carried, 4 wrong/);
  const ko = checkToText(result, { lang: 'ko' });
  assert.match(ko, /da1 +✗ 틀림/);
  assert.match(ko, /전치\(ᵀ\)가 빠졌습니다: 계산한 식 dz2·W2 = \(−0\.374 0\.140\), 올바른 식 dz2·W2ᵀ/);
  assert.match(ko, /맞음 6, 이월된 오류 3, 틀림 4/);
  const json = checkToJSON(result) as {
    steps: { name: string; status: string; diagnosis?: string; claimed: unknown; expected: unknown }[];
    summary: unknown;
  };
  assert.deepEqual(json.summary, { ok: 6, carried: 3, wrong: 4 });
  const dx = json.steps.find((s) => s.name === 'dx');
  assert.equal(dx?.diagnosis, 'missing-transpose');
  assert.deepEqual(dx?.claimed, [[0.0059, 0.0256]]);
  assert.equal(json.steps.find((s) => s.name === 'loss')?.claimed, 0.671);
});
