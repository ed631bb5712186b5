import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ShapeError } from '../../src/errors.js';
import { Pooling } from '../../src/layers/pooling.js';
import { type Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

interface Case {
  kind: 'Convolution' | 'Pooling';
  stride: number;
  pad: number;
  poolH: number;
  poolW: number;
  x: Nested;
  out: Nested;
  dout: Nested;
  dx: Nested;
}

// NumPy's loops over the windows (test/fixtures/make_fixtures.py), padding counted as 0
for (const c of fixture<{ cases: Case[] }>('conv-pool.json').cases.filter((c) => c.kind === 'Pooling')) {
  const x = Tensor.from(c.x);
  test(`Pooling ${c.poolH}×${c.poolW} on ${x.shape.join('×')}, stride ${c.stride}, pad ${c.pad}: forward and backward match NumPy loops`, () => {
    const pool = new Pooling(c.poolH, c.poolW, c.stride, c.pad);
    assertClose(pool.forward(x).toArray(), c.out, 1e-12, 'out');
    assertClose(pool.backward(Tensor.from(c.dout)).toArray(), c.dx, 1e-12, 'dx');
  });
}

test('Pooling backward matches the numerical gradient (2×2 stride 2, and 3×2 stride 1 pad 1)', () => {
  checkLayerGradients(new Pooling(2, 2, 2), randomTensor([2, 3, 4, 6], 7));
  checkLayerGradients(new Pooling(3, 2, 1, 1), randomTensor([1, 2, 4, 5], 8));
});

test('each window’s gradient goes to its first maximum, as np.argmax; overlapping windows add up; padding takes none', () => {
  const pool = new Pooling(2, 2, 1, 1);
  // 1×1×2×2 padded to 4×4: nine windows, each holding x's largest value it covers (or padding's 0)
  const x = Tensor.from([
    [
      [
        [-1, 3],
        [3, -2],
      ],
    ],
  ]);
  assert.deepEqual(pool.forward(x).toArray(), [
    [
      [
        [0, 3, 3],
        [3, 3, 3],
        [3, 3, 0],
      ],
    ],
  ]);
  const dx = pool.backward(
    Tensor.from([
      [
        [
          [1, 1, 1],
          [1, 1, 1],
          [1, 1, 1],
        ],
      ],
    ]),
  );
  // the 3 at (0, 1) is the first maximum of four windows (the middle one holds both 3s), the 3 at
  // (1, 0) of three; the corner windows' maxima are padding
  assert.deepEqual(dx.toArray(), [
    [
      [
        [0, 4],
        [3, 0],
      ],
    ],
  ]);
});

test('Pooling shapes: the output shape without running it, and one named error for a window that cannot fit', () => {
  assert.deepEqual(new Pooling(2, 2, 2).outputShape([100, 30, 24, 24]), [100, 30, 12, 12]);
  assert.deepEqual(new Pooling(2, 2, 2).outputShape([1, 30, -1, -1]), [1, 30, -1, -1]);
  const cases: [() => unknown, RegExp][] = [
    [
      () => new Pooling(2, 2, 2).forward(Tensor.zeros([1, 1, 5, 4])),
      /Pooling\.forward: x is 1×1×5×4 but the window is 2×2 \(stride 2, pad 0\): the output height/,
    ],
    [() => new Pooling(3, 3).forward(Tensor.zeros([1, 1, 2, 2])), /the height 3 is larger than the padded input's 2/],
    [() => new Pooling(2, 2).outputShape([4, 6]), /^Pooling: x is 4×6 but the window is 2×2, expected x of N×C×H×W$/],
    [() => new Pooling(2, 2).backward(Tensor.zeros([1, 1, 1, 1])), /^Pooling\.backward: called before forward$/],
  ];
  for (const [f, message] of cases) assert.throws(f, (e: Error) => e instanceof ShapeError && message.test(e.message), String(message));
  const pool = new Pooling(2, 2);
  pool.forward(Tensor.zeros([1, 1, 4, 4]));
  assert.throws(() => pool.backward(Tensor.zeros([1, 1, 3, 3])), /Pooling\.backward: dout is 1×1×3×3, expected 1×1×2×2 like the output$/);
  for (const args of [
    [0, 2],
    [2, 2, 0],
    [2, 2, 1, -1],
    [2.5, 2],
  ] as const)
    assert.throws(() => new Pooling(...(args as [number, number])), InputError, String(args));
});
