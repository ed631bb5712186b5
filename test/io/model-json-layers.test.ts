import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ScratchnetError, ShapeError } from '../../src/errors.js';
import { dataFromJSON } from '../../src/io/data-json.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { MultiLayerNetExtend } from '../../src/nets/multi-layer-net.js';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { randomTensor } from '../helpers/gradcheck.js';

const conv = (fn: number, c: number, fh: number, fw: number, extra: object = {}) => ({
  type: 'Convolution',
  W: randomTensor([fn, c, fh, fw], fn * 7 + c).toArray(),
  b: Array(fn).fill(0.1),
  stride: 1,
  pad: 0,
  ...extra,
});
const pool = { type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 0 };
const bn = (d: number) => ({
  type: 'BatchNormalization',
  gamma: Array(d).fill(1),
  beta: Array(d).fill(0),
  momentum: 0.9,
  eps: 1e-6,
  runningMean: Array(d).fill(0),
  runningVar: Array(d).fill(1),
});
const affine = (rows: number, cols: number) => ({
  type: 'Affine',
  W: randomTensor([rows, cols], rows + cols).toArray(),
  b: Array(cols).fill(0),
});
const model = (...layers: unknown[]) => ({ layers: [...layers, { type: 'SoftmaxWithLoss' }] });

/** A small conv net over 1×6×6 images: conv 2×1×3×3 → 2×4×4 → pool → 2×2×2 = 8 features. */
const convModel = model(
  conv(2, 1, 3, 3),
  { type: 'Relu' },
  pool,
  bn(8),
  { type: 'Dropout', ratio: 0.5 },
  affine(8, 3),
  { type: 'Tanh' },
  affine(3, 2),
);

test('every layer type writes the model JSON form and reads back to the same JSON', () => {
  assert.deepEqual(modelFromJSON(convModel).toJSON(), convModel);
  const withoutEps = model({ ...bn(2), eps: undefined }, affine(2, 2));
  delete (withoutEps.layers[0] as Record<string, unknown>).eps;
  assert.equal(modelFromJSON(withoutEps).toJSON().layers[0].eps, 1e-6);
  for (const net of [
    new SimpleConvNet({ inputDim: [1, 6, 6], filterNum: 2, filterSize: 3, hiddenSize: 4, outputSize: 3, rng: new Rng(1) }),
    new MultiLayerNetExtend(4, [3, 3], 2, { batchNorm: true, dropout: 0.2, activation: 'tanh', rng: new Rng(2) }),
  ]) {
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    assert.deepEqual(modelFromJSON(json).toJSON(), json);
  }
});

test('a conv model reads 4-D data and checks every shape through the chain with it', () => {
  const net = modelFromJSON(convModel);
  const x = randomTensor([2, 1, 6, 6], 3).toArray();
  assert.deepEqual(dataFromJSON({ x, t: [0, 1] }, net).x.shape, [2, 1, 6, 6]);
  const cases: [unknown, RegExp][] = [
    [{ x: randomTensor([1, 36], 4).toArray(), t: [0] }, /^data.x is 1×36 but Convolution#1 takes images N×1×H×W, expected x with 4 axes$/],
    [{ x: randomTensor([1, 3, 6, 6], 4).toArray(), t: [0] }, /^Convolution#1: x is 1×3×6×6 but W is 2×1×3×3, expected x with 1 channels$/],
    [
      { x: randomTensor([1, 1, 2, 6], 4).toArray(), t: [0] },
      /Convolution#1: x is 1×1×2×6 but W is 2×1×3×3 \(stride 1, pad 0\): the height 3 is larger than the padded input's 2/,
    ],
    [
      { x: randomTensor([1, 1, 7, 6], 4).toArray(), t: [0] },
      /Pooling#3: x is 1×2×5×4 but the window is 2×2 \(stride 2, pad 0\): the output height \(5 \+ 2·0 − 2\)\/2 \+ 1 is not a whole number/,
    ],
    [
      { x: randomTensor([1, 1, 8, 8], 4).toArray(), t: [0] },
      /BatchNormalization#4: x is 1×2×3×3 \(18 features\) but gamma is 8, expected 8 features/,
    ],
  ];
  for (const [data, message] of cases) {
    assert.throws(
      () => dataFromJSON(data, net),
      (e: Error) => e instanceof ShapeError && message.test(e.message),
      String(message),
    );
  }
  const noBn = modelFromJSON(model(conv(2, 1, 3, 3), pool, affine(8, 2)));
  assert.throws(
    () => dataFromJSON({ x: randomTensor([1, 1, 8, 8], 4).toArray(), t: [0] }, noBn),
    /Affine#3: W is 8×2 but Pooling#2 gives 18 features \(2×3×3\), expected W with 18 rows/,
  );
});

test('malformed layers of the new types get one named error each', () => {
  const cases: [unknown, RegExp][] = [
    [model({ ...conv(2, 1, 3, 3), W: [[1, 2]] }), /model.layers\[0\].W is 1×2, expected a non-empty array with 4 axes/],
    [model({ ...conv(2, 1, 3, 3), b: [0] }), /model.layers\[0\]: Convolution: W is 2×1×3×3 but b is 1, expected b of 2/],
    [model({ ...conv(2, 1, 3, 3), stride: 0 }), /model.layers\[0\].stride is 0, expected a whole number ≥ 1/],
    [model({ ...conv(2, 1, 3, 3), pad: 0.5 }), /model.layers\[0\].pad is 0.5, expected a whole number ≥ 0/],
    [model({ type: 'Pooling', poolW: 2 }), /model.layers\[0\] has no "poolH"/],
    [model({ ...pool, poolH: '2' }), /model.layers\[0\].poolH is "2", expected a whole number ≥ 1/],
    [model({ type: 'Dropout' }), /model.layers\[0\] has no "ratio"/],
    [model({ type: 'Dropout', ratio: 1 }), /model.layers\[0\].ratio is 1, expected a number ≥ 0 and < 1/],
    [model({ ...bn(2), beta: [0] }), /model.layers\[0\]: BatchNormalization: gamma is 2 but beta is 1, expected 2/],
    [model({ ...bn(2), momentum: 2 }), /model.layers\[0\].momentum is 2, expected a number ≥ 0 and ≤ 1/],
    [model({ ...bn(2), runningVar: undefined }), /model.layers\[0\] has no "runningVar"|runningVar is undefined/],
    [model(affine(3, 4), bn(5)), /BatchNormalization#2: x is 1×4 \(4 features\) but gamma is 5, expected 5 features/],
    [
      model(conv(2, 1, 3, 3), conv(3, 4, 3, 3)),
      /Convolution#2: W is 3×4×3×3 but Convolution#1 gives 2 channels, expected W with 2 channels/,
    ],
    [model(affine(3, 4), conv(3, 4, 3, 3)), /Convolution#2: x is 1×4 but W is 3×4×3×3, expected x of N×C×H×W/],
  ];
  for (const [json, message] of cases) {
    assert.throws(
      () => modelFromJSON(JSON.parse(JSON.stringify(json))),
      (e: Error) => e instanceof ScratchnetError && message.test(e.message) && !e.message.includes('\n'),
      `${JSON.stringify(json).slice(0, 80)} → ${message}`,
    );
  }
  assert.throws(() => modelFromJSON(model({ type: 'Dropout', ratio: -1 })), InputError);
});
