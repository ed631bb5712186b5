import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ShapeError } from '../../src/errors.js';
import { Convolution } from '../../src/layers/convolution.js';
import { type Nested, Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

interface Case {
  kind: 'Convolution' | 'Pooling';
  stride: number;
  pad: number;
  x: Nested;
  W: Nested;
  b: Nested;
  out: Nested;
  dout: Nested;
  dx: Nested;
  dW: Nested;
  db: Nested;
}

for (const c of fixture<{ cases: Case[] }>('conv-pool.json').cases.filter((c) => c.kind === 'Convolution')) {
  const x = Tensor.from(c.x);
  const what = `${c.kind} on ${x.shape.join('×')}, stride ${c.stride}, pad ${c.pad}`;
  test(`${what}: forward and backward match NumPy loops`, () => {
    const layer = new Convolution(Tensor.from(c.W), Tensor.from(c.b), c.stride, c.pad);
    assertClose(layer.forward(x).toArray(), c.out, 1e-12, 'out');
    const dout = Tensor.from(c.dout);
    assertClose(layer.backward(dout).toArray(), c.dx, 1e-12, 'dx');
    assertClose(layer.grads.W.toArray(), c.dW, 1e-12, 'dW');
    assertClose(layer.grads.b.toArray(), c.db, 1e-12, 'db');
    layer.backwardParams(dout);
    assertClose(layer.grads.W.toArray(), c.dW, 1e-12, 'dW by backwardParams');
  });
}

test('Convolution backward matches the numerical gradient (stride 1, pad 0)', () => {
  checkLayerGradients(new Convolution(randomTensor([2, 3, 3, 3], 1), randomTensor([2], 2)), randomTensor([2, 3, 5, 5], 3));
});

test('Convolution backward matches the numerical gradient (stride 2, pad 1, a non-square kernel)', () => {
  checkLayerGradients(new Convolution(randomTensor([3, 2, 3, 2], 4), randomTensor([3], 5), 2, 1), randomTensor([2, 2, 5, 6], 6));
});

test('Convolution overwrites its gradients on every pass', () => {
  const conv = new Convolution(randomTensor([2, 1, 2, 2], 9), randomTensor([2], 10));
  const x = randomTensor([2, 1, 3, 3], 11);
  const dout = randomTensor([2, 2, 2, 2], 12);
  conv.forward(x);
  conv.backward(dout);
  const first = conv.grads.W.clone();
  conv.forward(x);
  conv.backward(dout);
  assert.deepEqual(conv.grads.W.data, first.data);
});

test('shapes that cannot work name the layer and both shapes', () => {
  const conv = new Convolution(Tensor.zeros([2, 2, 3, 3]), Tensor.zeros([2]));
  conv.label = 'Convolution#1';
  const cases: [() => unknown, RegExp][] = [
    [() => conv.forward(Tensor.zeros([1, 3, 5, 5])), /^Convolution#1\.forward: x is 1×3×5×5 but W is 2×2×3×3, expected x with 2 channels$/],
    [
      () => conv.forward(Tensor.zeros([1, 2, 2, 5])),
      /Convolution#1\.forward: x is 1×2×2×5 but W is 2×2×3×3 \(stride 1, pad 0\): the height 3 is larger than the padded input's 2/,
    ],
    [() => conv.forward(Tensor.zeros([1, 2, 25])), /Convolution#1\.forward: x is 1×2×25 but W is 2×2×3×3, expected x of N×C×H×W/],
    [
      () => new Convolution(Tensor.zeros([2, 2, 3, 3]), Tensor.zeros([2]), 2).forward(Tensor.zeros([1, 2, 6, 5])),
      /the output height \(6 \+ 2·0 − 3\)\/2 \+ 1 is not a whole number/,
    ],
    [() => new Convolution(Tensor.zeros([2, 2, 3, 3]), Tensor.zeros([3])), /W is 2×2×3×3 but b is 3, expected b of 2/],
    [() => new Convolution(Tensor.zeros([2, 3, 3]), Tensor.zeros([2])), /W is 2×3×3, expected filters FN×C×FH×FW/],
  ];
  for (const [f, message] of cases) assert.throws(f, (e: Error) => e instanceof ShapeError && message.test(e.message), String(message));
  assert.throws(() => new Convolution(Tensor.zeros([1, 1, 1, 1]), Tensor.zeros([1]), 0), InputError);
  conv.forward(Tensor.zeros([1, 2, 4, 4]));
  assert.throws(() => conv.backward(Tensor.zeros([1, 2, 3, 3])), /dout is 1×2×3×3, expected 1×2×2×2 like the output/);
});

test('outputShape follows the layer without running it; before data only the channels are checked', () => {
  const conv = new Convolution(Tensor.zeros([30, 1, 5, 5]), Tensor.zeros([30]));
  assert.deepEqual(conv.outputShape([100, 1, 28, 28]), [100, 30, 24, 24]);
  assert.deepEqual(new Convolution(Tensor.zeros([4, 3, 3, 3]), Tensor.zeros([4]), 2, 1).outputShape([2, 3, 7, 7]), [2, 4, 4, 4]);
  assert.throws(() => conv.outputShape([1, 2, 28, 28]), /Convolution: x is 1×2×28×28 but W is 30×1×5×5, expected x with 1 channels/);
  assert.deepEqual(conv.inputShape(), [-1, 1, -1, -1]);
  assert.deepEqual(conv.outputShape([1, 1, -1, -1]), [1, 30, -1, -1]);
  assert.throws(
    () => conv.outputShape([1, 3, -1, -1], 'Pooling#2'),
    /ShapeError: Convolution: W is 30×1×5×5 but Pooling#2 gives 3 channels, expected W with 3 channels$/,
  );
});
