import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainPass, explanationToJSON } from '../../src/explain/explain.js';
import { formatTensor, sideBySide, width } from '../../src/explain/format.js';
import { explanationToMarkdown } from '../../src/explain/render-markdown.js';
import { explanationToText } from '../../src/explain/render-text.js';
import { seedExplanation } from '../../src/explain/seed-example.js';
import { trace } from '../../src/explain/trace.js';
import { dataFromJSON } from '../../src/io/data-json.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import type { Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { randomTensor } from '../helpers/gradcheck.js';

const golden = (name: string) => readFileSync(join(repoRoot, 'test', 'fixtures', 'explain', name), 'utf8');

for (const lang of ['en', 'ko'] as const) {
  test(`explain of the seed, pinned: text and markdown in ${lang}`, () => {
    assert.equal(explanationToText(seedExplanation(), { lang }), golden(`seed.${lang}.txt`));
    assert.equal(explanationToMarkdown(seedExplanation(), { lang }), golden(`seed.${lang}.md`));
  });
}

test('the Korean explanation uses the note’s words', () => {
  const ko = explanationToText(seedExplanation(), { lang: 'ko' });
  for (const word of [
    '순전파',
    '역전파',
    '입력층 → 은닉층',
    '은닉층 → 출력층',
    '정답 레이블',
    '교차 엔트로피 손실',
    '가중치 갱신',
    '기울기',
  ])
    assert.ok(ko.includes(word), word);
  const md = explanationToMarkdown(seedExplanation(), { lang: 'ko' });
  assert.match(md, /^## 순전파$/m);
  assert.match(md, /\$\$dW_\{2\} = a_\{1\}\^\\top \\cdot dz_\{2\} = /);
  assert.match(md, /\\odot/);
});

interface Case {
  name: string;
  model: unknown;
  data: unknown;
  expected: { loss: number; dx: Nested; grads: Record<string, Nested>[] };
}

test('explain --format json of a deeper relu-sigmoid network: names by the rule, values as NumPy', () => {
  const c = fixture<{ cases: Case[] }>('networks.json').cases.find((k) => k.name.startsWith('relu-sigmoid'));
  assert.ok(c);
  const net = modelFromJSON(c.model);
  const { x, t } = dataFromJSON(c.data, net);
  const json = explanationToJSON(explainPass(net, x, t)) as {
    steps: { name: string; formula: string; operands: string[]; value: Nested }[];
    loss: number;
  };
  assert.deepEqual(
    json.steps.map((s) => s.name),
    ['z1', 'a1', 'z2', 'a2', 'z3', 'y', 'loss', 'dz3', 'dW3', 'db3', 'da2', 'dz2', 'dW2', 'db2', 'da1', 'dz1', 'dW1', 'db1', 'dx'],
  );
  const step = (name: string) => json.steps.find((s) => s.name === name);
  assert.equal(step('dz1')?.formula, 'dz1 = da1 ⊙ [z1 > 0]');
  assert.equal(step('dz2')?.formula, 'dz2 = da2 ⊙ a2(1 − a2)');
  assert.equal(step('z3')?.formula, 'z3 = a2·W3 + b3');
  assertClose(json.loss, c.expected.loss, 1e-12);
  assertClose(step('dx')?.value, c.expected.dx, 1e-12);
  assertClose(step('dW1')?.value, c.expected.grads[0].W, 1e-12);
  assertClose(step('db2')?.value, c.expected.grads[2].b, 1e-12);
  assertClose(step('dW3')?.value, c.expected.grads[4].W, 1e-12);
});

test('every step kind recomputes its traced value from its operands (the engine check relies on)', () => {
  for (const c of fixture<{ cases: Case[] }>('networks.json').cases) {
    const net = modelFromJSON(c.model);
    const { x, t } = dataFromJSON(c.data, net);
    const tr = trace(net, x, t);
    for (const step of tr.steps) {
      const { recompute } = step;
      assert.ok(recompute, `${c.name}: ${step.name} is recomputable`);
      const value = recompute(step.operands.map((n) => tr.values.get(n) as Tensor));
      assertClose(value.reshape(step.value.shape).toArray(), step.value.toArray(), 1e-12, `${c.name}: ${step.name}`);
    }
  }
});

test('large matrices are elided, wide characters measured', () => {
  const lines = formatTensor(randomTensor([10, 9], 1), 2);
  assert.equal(lines.length, 6);
  assert.ok(lines[3].includes('⋮') && lines[0].includes('…'));
  assert.equal(width('한국'), 4);
  assert.deepEqual(sideBySide([['a = '], ['⎡ 1 ⎤', '⎣ 2 ⎦']]), ['a = ⎡ 1 ⎤', '    ⎣ 2 ⎦']);
});
