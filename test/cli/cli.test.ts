import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SEED_DATA, SEED_MODEL } from '../../src/explain/seed-example.js';
import { cliSandbox } from '../helpers/cli.js';
import { assertClose } from '../helpers/close.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

const { dir, cli, file } = cliSandbox('cli');

test('example --json prints the 13 steps and the update, matching NumPy', () => {
  const r = cli('example', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const numpy = fixture<{ steps: Record<string, number[][]>; update: Record<string, number[][]> }>('seed-example.json');
  assert.deepEqual(Object.keys(json.steps), ['z1', 'a1', 'z2', 'y', 'loss', 'dz2', 'dW2', 'db2', 'da1', 'dz1', 'dW1', 'db1', 'dx']);
  for (const [name, value] of Object.entries(numpy.steps)) assertClose(json.steps[name], value, 1e-15, name);
  assert.deepEqual(Object.keys(json.update), ['lr', 'W1', 'b1', 'W2', 'b2', 'loss']);
  assertClose(json.update.loss, numpy.update.loss as unknown as number, 1e-15);
  assert.equal(typeof json.steps.loss, 'number');
  assert.equal(json.steps.db2.length, 2); // biases are 1-D
});

test('example prints the pass as text', () => {
  const r = cli('example');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /loss = −Σ t·log y \/ N\n +=.*\n += 0\.6316\n/);
});

test('grad prints loss, y, dx and one gradient entry per layer', () => {
  const r = cli('grad', file('model.json', SEED_MODEL), '--data', file('data.json', SEED_DATA));
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const numpy = fixture<{ steps: Record<string, number[][]> }>('seed-example.json').steps;
  assertClose(json.loss, numpy.loss as unknown as number, 1e-15);
  assertClose(json.y, numpy.y, 1e-15);
  assertClose(json.dx, numpy.dx, 1e-15);
  assert.equal(json.grads.length, 4);
  assertClose(json.grads[0].W, numpy.dW1, 1e-15);
  assertClose(json.grads[2].b, numpy.db2, 1e-15);
  assert.deepEqual(json.grads[1], {});
  assert.deepEqual(json.grads[3], {});
});

test('grad takes class indices for t', () => {
  const r = cli('grad', file('model.json', SEED_MODEL), '--data', file('indices.json', { x: [[1, 2]], t: [0] }));
  assert.equal(r.status, 0, r.stderr);
  assertClose(JSON.parse(r.stdout).loss, 0.6315561844844936, 1e-15);
});

test('bad input: one line on stderr, exit status 2, nothing on stdout', () => {
  const model = file('model.json', SEED_MODEL);
  const data = file('data.json', SEED_DATA);
  const cases: [string[], RegExp][] = [
    [['grad', 'missing.json', '--data', data], /cannot read missing.json: no such file/],
    [['grad', file('bad.json', '{"layers": ['), '--data', data], /bad.json is not valid JSON/],
    [['grad', dir, '--data', data], /it is a directory/],
    [
      [
        'grad',
        file('ragged.json', { layers: [{ type: 'Affine', W: [[1, 2], [3]], b: [0, 0] }, { type: 'SoftmaxWithLoss' }] }),
        '--data',
        data,
      ],
      /W\[1\] has 1 entries/,
    ],
    [
      ['grad', file('nan.json', { layers: [{ type: 'Affine', W: [[1, '2']], b: [0, 0] }, { type: 'SoftmaxWithLoss' }] }), '--data', data],
      /W\[0\]\[1\] is "2", expected a finite number/,
    ],
    [['grad', file('unknown.json', { layers: [{ type: 'Softmax' }] }), '--data', data], /type is "Softmax", expected one of/],
    [
      [
        'grad',
        file('chain.json', {
          layers: [
            {
              type: 'Affine',
              W: [
                [1, 2],
                [3, 4],
              ],
              b: [0, 0],
            },
            { type: 'Affine', W: [[1]], b: [0] },
            { type: 'SoftmaxWithLoss' },
          ],
        }),
        '--data',
        data,
      ],
      /Affine#2: W is 1×1 but Affine#1 gives 2 features/,
    ],
    [['grad', model, '--data', file('wide.json', { x: [[1, 2, 3]], t: [[1, 0]] })], /data.x is 1×3 but Affine#1 takes 2 inputs/],
    [
      [
        'grad',
        model,
        '--data',
        file('rows.json', {
          x: [[1, 2]],
          t: [
            [1, 0],
            [0, 1],
          ],
        }),
      ],
      /data.t has 2 rows but data.x has 1/,
    ],
    [['grad', model, '--data', file('label.json', { x: [[1, 2]], t: [7] })], /data.t\[0\] is 7, expected a class index 0…1/],
    [['grad', model], /--data DATA.json is required/],
    [['grad', model, '--data'], /grad: --data needs a value/],
    [['grad', '--data', data], /grad: got no arguments, expected MODEL.json/],
    [['grad', model, '--data', data, '--nope'], /grad: unknown option --nope/],
    [['train', '--lr=-1'], /--lr is "-1", expected a positive number/],
    [['train', '--lr', '-1'], /--lr needs a value \(a value that starts with a dash is written --lr=-1\)/],
    [['example', '--json=yes'], /--json takes no value/],
    [['train', '--iters', '1.5'], /--iters is "1.5", expected a whole number/],
    [['train', '--activation', 'tanhh'], /--activation is "tanhh", expected one of relu, sigmoid, tanh/],
    [['train', '--iters', '5', '--epochs', '1'], /give --iters or --epochs, not both/],
    [['gradcheck', '--samples', '0'], /--samples is "0"/],
    [['fly'], /unknown command "fly"/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, stderr ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\s+at /, 'no stack trace');
  }
});

test('train writes metrics, a plot and the model on a short run', () => {
  const r = cli('train', '--iters', '60', '--batch-size', '50', '--train-size', '500', '--hidden', '20', '--lr', '0.5', '--out', 'short');
  assert.equal(r.status, 0, r.stderr);
  const metrics = JSON.parse(readFileSync(join(dir, 'short', 'metrics.json'), 'utf8'));
  assert.equal(metrics.history.length, 6); // 500 / 50 = 10 iterations an epoch
  assert.ok(metrics.history[5].loss < metrics.history[0].loss, 'the loss falls');
  assert.ok(metrics.testAccuracy > 0.5, `test accuracy ${metrics.testAccuracy}`);
  assert.deepEqual(Object.keys(metrics.history[0]), ['epoch', 'iteration', 'loss', 'trainAccuracy', 'testAccuracy', 'seconds']);
  assert.match(readFileSync(join(dir, 'short', 'training.svg'), 'utf8'), /<svg/);
  const model = JSON.parse(readFileSync(join(dir, 'short', 'model.json'), 'utf8'));
  assert.deepEqual(
    model.layers.map((l: { type: string }) => l.type),
    ['Affine', 'Relu', 'Affine', 'SoftmaxWithLoss'],
  );
  // The saved model is one the CLI reads back.
  const g = cli('grad', join(dir, 'short', 'model.json'), '--data', file('digit.json', { x: [Array(784).fill(0.5)], t: [3] }));
  assert.equal(g.status, 0, g.stderr);
});

test('gradcheck passes on MNIST with relative differences below 1e-6', () => {
  const r = cli('gradcheck', '--samples', '2', '--hidden', '10', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.passed, true);
  assert.deepEqual(
    json.params.map((p: { name: string }) => p.name),
    ['W1', 'b1', 'W2', 'b2'],
  );
  for (const p of json.params) assert.ok(p.relative < 1e-6 && p.maxAbs < 1e-8, JSON.stringify(p));
});

test('explain prints the pass in each format; --lr adds the update', () => {
  const model = file('model.json', SEED_MODEL);
  const data = file('data.json', SEED_DATA);
  const text = cli('explain', model, '--data', data, '--lr', '0.1');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /loss after the update = 0\.5501 \(before: 0\.6316\)/);
  assert.ok(!text.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
  const ko = cli('explain', model, '--data', data, '--lang', 'ko', '--precision', '3');
  assert.match(ko.stdout, /순전파/);
  assert.match(ko.stdout, /= \(0\.900 0\.400\)/);
  assert.doesNotMatch(ko.stdout, /가중치 갱신/, 'no update without --lr');
  const md = cli('explain', model, '--data', data, '--format', 'markdown');
  assert.match(md.stdout, /^\$\$z_\{1\} = x \\cdot W_\{1\} \+ b_\{1\} = /m);
  const json = JSON.parse(cli('explain', model, '--data', data, '--format', 'json', '--lr', '0.1').stdout);
  assert.equal(json.steps.length, 13);
  assertClose(json.update.lossAfter, 0.550071943496035, 1e-15);
});

test('example gains --lang and --format through the same engine', () => {
  assert.equal(cli('example', '--lang', 'ko').stdout, readFileSync(join(repoRoot, 'test', 'fixtures', 'explain', 'seed.ko.txt'), 'utf8'));
  assert.equal(
    cli('example', '--format', 'markdown').stdout,
    readFileSync(join(repoRoot, 'test', 'fixtures', 'explain', 'seed.en.md'), 'utf8'),
  );
  assert.deepEqual(JSON.parse(cli('example', '--format', 'json').stdout), JSON.parse(cli('example', '--json').stdout));
});

test('check the seed note: exit 1, the verdicts, in text and JSON', () => {
  const note = join(repoRoot, 'examples', 'seed-note.json');
  const text = cli('check', note);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /6 ok, 3 carried, 4 wrong/);
  const json = JSON.parse(cli('check', note, '--json').stdout);
  assert.deepEqual(
    json.steps.filter((s: { diagnosis?: string }) => s.diagnosis === 'missing-transpose').map((s: { name: string }) => s.name),
    ['da1', 'dx'],
  );
  assert.match(cli('check', note, '--lang', 'ko').stdout, /이월된 오류/);
});

test('check a clean hand computation: exit 0', () => {
  const clean = {
    model: SEED_MODEL,
    ...SEED_DATA,
    claimed: { z1: [['0.900', '0.400']], a1: [['0.711', '0.599']], loss: '0.632', da1: [['-0.281', '0.234']], dx: [['-0.017', '-0.006']] },
  };
  const r = cli('check', file('clean.json', clean));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /5 ok, 0 carried, 0 wrong/);
});

test('explain and check: bad input is one line and exit 2', () => {
  const model = file('model.json', SEED_MODEL);
  const cases: [string[], RegExp][] = [
    [['explain', model], /explain: --data DATA.json is required/],
    [['explain', model, '--data', file('d.json', SEED_DATA), '--lang', 'fr'], /--lang is "fr", expected one of en, ko/],
    [
      ['explain', model, '--data', file('d.json', SEED_DATA), '--format', 'html'],
      /--format is "html", expected one of text, markdown, json/,
    ],
    [['explain', model, '--data', file('d.json', SEED_DATA), '--lr', '0'], /--lr is "0", expected a positive number/],
    [['check', file('w1.json', { model: SEED_MODEL, ...SEED_DATA, claimed: { dz7: '1' } })], /claimed.dz7 is not a step of this network/],
    [
      ['check', file('w2.json', { model: SEED_MODEL, ...SEED_DATA, claimed: { z1: [['1', '2', '3']] } })],
      /claimed.z1 is 1×3, expected 1×2/,
    ],
    [
      ['check', file('w3.json', { model: SEED_MODEL, ...SEED_DATA, claimed: { loss: 'about 0.6' } })],
      /claimed.loss is "about 0.6", expected a number/,
    ],
    [['check', file('w4.json', { model: SEED_MODEL, claimed: {} })], /worked file has no "x"/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('train runs float32 on the wasm kernels by default, and writes the same model bytes on one thread and on two', () => {
  const models = ['1', '2'].map((threads) => {
    const out = `threads-${threads}`;
    const r = cli('train', '--iters', '300', '--threads', threads, '--test-size', '1000', '--train-eval', '1000', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, threads === '1' ? /on wasm, 1 thread\b/ : /on wasm, 2 threads/);
    return readFileSync(join(dir, out, 'model.json'));
  });
  assert.ok(models[0].equals(models[1]), 'the models differ');
  const f64 = cli('train', '--dtype', 'float64', '--iters', '300', '--test-size', '1000', '--train-eval', '1000', '--out', 'float64');
  assert.equal(f64.status, 0, f64.stderr);
  assert.match(f64.stdout, /float64/);
  assert.doesNotMatch(f64.stdout, /wasm/);
  const m64 = JSON.parse(readFileSync(join(dir, 'float64', 'metrics.json'), 'utf8'));
  const m32 = JSON.parse(readFileSync(join(dir, 'threads-1', 'metrics.json'), 'utf8'));
  assert.equal(m64.settings.dtype, 'float64');
  assert.equal(m32.settings.dtype, 'float32');
  // the two paths train the same network to within float32's rounding
  assert.ok(Math.abs(m64.testAccuracy - m32.testAccuracy) <= 0.01, `${m64.testAccuracy} against ${m32.testAccuracy}`);
  const bad = cli('train', '--threads', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--threads is "0", expected a whole number from 1 to 64/);
});
