import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { layerTypes } from '../../src/layers/registry.js';
import { cliSandbox } from '../helpers/cli.js';

const { dir, cli, file } = cliSandbox('cli-layers');

// conv 2×1×2×2 over 1×3×3 → 2×2×2 → pool 2×2 → 2×1×1 → BatchNorm → Dropout → Affine 2×2
const convModel = {
  layers: [
    {
      type: 'Convolution',
      W: [
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
        [
          [
            [0.5, -0.5],
            [0.2, 0.1],
          ],
        ],
      ],
      b: [0, 0.1],
      stride: 1,
      pad: 0,
    },
    { type: 'Relu' },
    { type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 0 },
    { type: 'BatchNormalization', gamma: [1, 1.5], beta: [0, 0.2], momentum: 0.9, runningMean: [0.5, 0.5], runningVar: [1, 2] },
    { type: 'Dropout', ratio: 0.5 },
    {
      type: 'Affine',
      W: [
        [1, -1],
        [0.5, 0.3],
      ],
      b: [0, 0],
    },
    { type: 'SoftmaxWithLoss' },
  ],
};
const images = {
  x: [
    [
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    ],
    [
      [
        [1, 0, 1],
        [0, 1, 0],
        [1, 0, 1],
      ],
    ],
    [
      [
        [0, 3, 1],
        [2, 1, 0],
        [1, 1, 2],
      ],
    ],
  ],
  t: [0, 1, 1],
};

test('grad on a conv model: gamma and beta among the grads; --train switches to batch statistics and a seeded dropout mask', () => {
  const model = file('conv.json', convModel);
  const data = file('images.json', images);
  const inference = cli('grad', model, '--data', data);
  assert.equal(inference.status, 0, inference.stderr);
  const a = JSON.parse(inference.stdout);
  assert.deepEqual(
    a.grads.map((g: object) => Object.keys(g)),
    [['W', 'b'], [], [], ['gamma', 'beta'], [], ['W', 'b'], []],
  );
  assert.deepEqual([a.dx.length, a.dx[0].length, a.dx[0][0].length, a.dx[0][0][0].length], [3, 1, 3, 3]);
  const trained = JSON.parse(cli('grad', model, '--data', data, '--train').stdout);
  assert.notEqual(trained.loss, a.loss);
  assert.deepEqual(JSON.parse(cli('grad', model, '--data', data, '--train').stdout), trained, 'same seed, same mask');
  const seeded = cli('grad', model, '--data', data, '--train', '--seed', '3');
  assert.equal(seeded.status, 0, seeded.stderr);
  assert.equal(JSON.parse(seeded.stdout).grads[3].gamma.length, 2);
});

test('shapes that cannot work and bad flags: one line naming the layer and shapes, exit 2, nothing on stdout', () => {
  const model = file('conv.json', convModel);
  const cases: [string[], RegExp][] = [
    [
      ['grad', model, '--data', file('small.json', { x: [[[[1]]]], t: [0] })],
      /Convolution#1: x is 1×1×1×1 but W is 2×1×2×2 \(stride 1, pad 0\): the height 2 is larger than the padded input's 1/,
    ],
    [
      [
        'grad',
        model,
        '--data',
        file('odd.json', {
          x: [
            [
              [
                [1, 2, 3, 4],
                [1, 2, 3, 4],
                [1, 2, 3, 4],
                [1, 2, 3, 4],
              ],
            ],
          ],
          t: [0],
        }),
      ],
      /Pooling#3: x is 1×2×3×3 but the window is 2×2 \(stride 2, pad 0\): the output height \(3 \+ 2·0 − 2\)\/2 \+ 1 is not a whole number/,
    ],
    [
      [
        'grad',
        model,
        '--data',
        file('channels.json', {
          x: [
            [
              [
                [1, 2, 3],
                [4, 5, 6],
                [7, 8, 9],
              ],
              [
                [1, 2, 3],
                [4, 5, 6],
                [7, 8, 9],
              ],
            ],
          ],
          t: [0],
        }),
      ],
      /Convolution#1: x is 1×2×3×3 but W is 2×1×2×2, expected x with 1 channels/,
    ],
    [
      ['grad', model, '--data', file('flat.json', { x: [[1, 2, 3, 4, 5, 6, 7, 8, 9]], t: [0] })],
      /data.x is 1×9 but Convolution#1 takes images N×1×H×W/,
    ],
    [
      ['grad', model, '--data', file('one.json', { x: [images.x[0]], t: [0] }), '--train'],
      /BatchNormalization#4.forward: x is 1×2×1×1, expected a batch of at least 2 in training/,
    ],
    [['grad', model, '--data', file('i.json', images), '--seed', '-1'], /--seed needs a value|--seed is "-1"/],
    [['train', '--net', 'lenet'], /--net is "lenet", expected one of two-layer, multi-layer, multi-layer-extend, simple-conv/],
    [['train', '--optimizer', 'adamw'], /--optimizer is "adamw", expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam/],
    [['train', '--net', 'multi-layer', '--hidden', '100,x'], /--hidden is "100,x", expected whole numbers/],
    [['train', '--hidden', '50,50'], /two-layer has one hidden layer: expected one size/],
    [['train', '--init', 'zero'], /--init is "zero", expected he, xavier or a positive standard deviation/],
    [['train', '--dropout', '0.5'], /--dropout needs --net multi-layer-extend or deep-conv \(got --net two-layer\)/],
    [['train', '--batch-norm'], /--batch-norm needs --net multi-layer-extend \(got --net two-layer\)/],
    [['train', '--net', 'deep-conv', '--activation', 'sigmoid'], /--activation is sigmoid, but deep-conv uses relu \(as the book\)/],
    [['train', '--net', 'multi-layer-extend', '--dropout', '1.5'], /--dropout is "1.5", expected a ratio between 0 and 1/],
    [['train', '--weight-decay=-0.1'], /--weight-decay is "-0.1", expected a number ≥ 0/],
    [['train', '--net', 'simple-conv', '--activation', 'sigmoid'], /simple-conv uses relu/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, stderr ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('train --net multi-layer-extend with batch norm, dropout, adam and weight decay writes a model the CLI reads back', () => {
  const r = cli(
    'train',
    '--net',
    'multi-layer-extend',
    '--hidden',
    '20,20',
    '--batch-norm',
    '--dropout',
    '0.1',
    '--optimizer',
    'adam',
    '--weight-decay',
    '0.001',
    '--iters',
    '40',
    '--batch-size',
    '50',
    '--train-size',
    '500',
    '--out',
    'extend',
  );
  assert.equal(r.status, 0, r.stderr);
  const metrics = JSON.parse(readFileSync(join(dir, 'extend', 'metrics.json'), 'utf8'));
  assert.equal(metrics.settings.optimizer, 'adam');
  assert.ok(metrics.testAccuracy > 0.5, `test accuracy ${metrics.testAccuracy}`);
  const model = JSON.parse(readFileSync(join(dir, 'extend', 'model.json'), 'utf8'));
  assert.deepEqual(
    model.layers.map((l: { type: string }) => l.type),
    ['Affine', 'BatchNormalization', 'Relu', 'Dropout', 'Affine', 'BatchNormalization', 'Relu', 'Dropout', 'Affine', 'SoftmaxWithLoss'],
  );
  const g = cli(
    'grad',
    join(dir, 'extend', 'model.json'),
    '--data',
    file('digits.json', { x: [Array(784).fill(0.5), Array(784).fill(0.1)], t: [3, 4] }),
    '--train',
  );
  assert.equal(g.status, 0, g.stderr);
});

test('train --net simple-conv runs a few iterations on N×1×28×28 batches, train accuracy on a subset', () => {
  const r = cli(
    'train',
    '--net',
    'simple-conv',
    '--iters',
    '4',
    '--batch-size',
    '20',
    '--train-size',
    '80',
    '--train-eval',
    '40',
    '--out',
    'conv',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /train accuracy on the first 40/);
  const metrics = JSON.parse(readFileSync(join(dir, 'conv', 'metrics.json'), 'utf8'));
  assert.equal(metrics.settings.trainAccuracyImages, 40);
  assert.equal(metrics.settings.optimizer, 'adam');
  const model = JSON.parse(readFileSync(join(dir, 'conv', 'model.json'), 'utf8'));
  assert.deepEqual(
    model.layers.map((l: { type: string }) => l.type),
    ['Convolution', 'Relu', 'Pooling', 'Affine', 'Relu', 'Affine', 'SoftmaxWithLoss'],
  );
});

test('layers lists every registered layer type with its JSON by example, and what explain, check and ONNX do with it', () => {
  const { cli } = cliSandbox('layers');
  const r = cli('layers', '--json');
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    type: string;
    example: { type: string };
    output: string;
    checked: boolean;
    onnx: { import: string[] };
  }[];
  assert.deepEqual(
    rows.map((row) => row.type),
    [...layerTypes.keys()],
  );
  const affine = rows.find((row) => row.type === 'Affine');
  assert.deepEqual([affine?.output, affine?.checked, affine?.onnx.import], ['z', true, ['Gemm', 'MatMul', 'Add']]);
  assert.equal(rows.find((row) => row.type === 'Pooling')?.checked, false);
  const text = cli('layers');
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^Affine\n {2}\{"type":"Affine","W":/);
  assert.match(text.stdout, /SoftmaxWithLoss\n.*\n {2}explain: y \(the loss layer, last\)/);
});
