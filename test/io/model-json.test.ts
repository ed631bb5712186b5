import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ScratchnetError, ShapeError } from '../../src/errors.js';
import { SEED_DATA, SEED_MODEL } from '../../src/explain/seed-example.js';
import { dataFromJSON } from '../../src/io/data-json.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { layerTypes } from '../../src/layers/registry.js';

const affine = (W: number[][], b: number[]) => ({ type: 'Affine', W, b });
const model = (...layers: unknown[]) => ({ layers: [...layers, { type: 'SoftmaxWithLoss' }] });

test('the seed model reads back to the same JSON', () => {
  assert.deepEqual(modelFromJSON(SEED_MODEL).toJSON(), SEED_MODEL);
});

test('malformed models get one named error each', () => {
  const cases: [unknown, RegExp][] = [
    [[], /model is an array of 0, expected an object/],
    [{}, /model has no "layers"/],
    [{ layers: [] }, /model.layers is an array of 0, expected a non-empty array/],
    [
      model({ type: 'Conv9' }),
      // every registered type, in the registry's order
      new RegExp(`model.layers\\[0\\].type is "Conv9", expected one of ${[...layerTypes.keys()].join(', ')}$`),
    ],
    [model({ type: 'toString' }), /model.layers\[0\].type is "toString"/],
    [model({ W: [[1]] }), /model.layers\[0\] has no "type"/],
    [model({ type: 'Affine', b: [0] }), /model.layers\[0\] has no "W"/],
    [model(affine([[1, 2], [3]], [0, 0])), /model.layers\[0\].W\[1\] has 1 entries, expected an array of 2/],
    [model(affine([[1, 'x' as never]], [0, 0])), /model.layers\[0\].W\[0\]\[1\] is "x", expected a finite number/],
    [model(affine([[1, 2]], [0])), /W is 1×2 but b is 1/],
    [model(affine([1, 2] as never, [0, 0])), /model.layers\[0\].W is 2, expected a non-empty array with 2 axes/],
    [{ layers: [affine([[1]], [0])] }, /expected the loss layer SoftmaxWithLoss last/],
    [{ layers: [{ type: 'SoftmaxWithLoss' }, affine([[1]], [0])] }, /a loss layer must be the last layer/],
    [
      model(affine([[1, 2]], [0, 0]), { type: 'Sigmoid' }, affine([[1], [2], [3]], [0])),
      /Affine#3: W is 3×1 but Affine#1 gives 2 features, expected W with 2 rows/,
    ],
  ];
  for (const [json, message] of cases) {
    assert.throws(
      () => modelFromJSON(json),
      (e: Error) => e instanceof ScratchnetError && message.test(e.message) && !e.message.includes('\n'),
      `${JSON.stringify(json)} → ${message}`,
    );
  }
});

test('__proto__ keys never change a prototype or smuggle in fields', () => {
  const text = '{"layers": [{"__proto__": {"type": "Sigmoid"}}, {"type": "SoftmaxWithLoss"}], "__proto__": {"polluted": true}}';
  assert.throws(() => modelFromJSON(JSON.parse(text)), /has no "type"/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const inherited = Object.create({ type: 'Sigmoid' });
  assert.throws(() => modelFromJSON({ layers: [inherited, { type: 'SoftmaxWithLoss' }] }), /has no "type"/);
});

test('data that does not fit the model gets a named error', () => {
  const net = modelFromJSON(SEED_MODEL);
  assert.deepEqual(dataFromJSON(SEED_DATA, net).x.shape, [1, 2]);
  assert.deepEqual(
    dataFromJSON(
      {
        x: [
          [1, 2],
          [3, 4],
        ],
        t: [0, 1],
      },
      net,
    ).t.shape,
    [2],
  );
  const cases: [unknown, RegExp, typeof ScratchnetError][] = [
    [{ t: [[1, 0]] }, /data has no "x"/, InputError],
    [{ x: [[1, 2, 3]], t: [[1, 0]] }, /data.x is 1×3 but Affine#1 takes 2 inputs/, ShapeError],
    [
      {
        x: [[1, 2]],
        t: [
          [1, 0],
          [0, 1],
        ],
      },
      /data.t has 2 rows but data.x has 1/,
      ShapeError,
    ],
    [{ x: [[1, 2]], t: [[1, 0, 0]] }, /data.t is 1×3 but the model outputs 2 classes/, ShapeError],
    [{ x: [[1, 2]], t: [2] }, /data.t\[0\] is 2, expected a class index 0…1/, InputError],
    [{ x: [[1, 2]], t: [-1] }, /data.t\[0\] is -1/, InputError],
    [{ x: [1, 2], t: [0] }, /data.x is 2, expected one row per example/, InputError],
    [{ x: [[1, 2]], t: 1 }, /data.t is a number/, InputError],
  ];
  for (const [json, message, type] of cases) {
    assert.throws(
      () => dataFromJSON(json, net),
      (e: Error) => e instanceof type && message.test(e.message),
      `${JSON.stringify(json)} → ${message}`,
    );
  }
});
