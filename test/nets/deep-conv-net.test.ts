import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dropout } from '../../src/layers/dropout.js';
import { multiplyAddsPerExample, type NetConfig, parameterCount } from '../../src/nets/by-name.js';
import { type ConvSpec, DeepConvNet } from '../../src/nets/deep-conv-net.js';
import { compareGradients } from '../../src/nets/numerical-gradient.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { randomTensor } from '../helpers/gradcheck.js';

test("DeepConvNet has the book's ch08 layers and parameter shapes, and its size is counted without building it", () => {
  const net = new DeepConvNet({ rng: new Rng(0) });
  assert.deepEqual(
    net.layers.map((l) => l.type),
    [
      ...['Convolution', 'Relu', 'Convolution', 'Relu', 'Pooling'],
      ...['Convolution', 'Relu', 'Convolution', 'Relu', 'Pooling'],
      ...['Convolution', 'Relu', 'Convolution', 'Relu', 'Pooling'],
      ...['Affine', 'Relu', 'Dropout', 'Affine', 'Dropout'],
    ],
  );
  const shapes = Object.fromEntries(Object.entries(net.params).map(([name, p]) => [name, p.shape]));
  assert.deepEqual(shapes, {
    W1: [16, 1, 3, 3],
    b1: [16],
    W2: [16, 16, 3, 3],
    b2: [16],
    W3: [32, 16, 3, 3],
    b3: [32],
    W4: [32, 32, 3, 3],
    b4: [32],
    W5: [64, 32, 3, 3],
    b5: [64],
    W6: [64, 64, 3, 3],
    b6: [64],
    W7: [64 * 4 * 4, 50],
    b7: [50],
    W8: [50, 10],
    b8: [10],
  });
  const config: NetConfig = { net: 'deep-conv', hidden: [50], activation: 'relu', init: 'he', weightDecay: 0, dropout: 0.5 };
  const total = Object.values(net.params).reduce((sum, p) => sum + p.size, 0);
  assert.equal(parameterCount(config, [1, 28, 28], 10), total);
  // by hand: the six convolutions' output places × filters × C·3·3, then the two Affine layers
  const convs = 28 * 28 * 16 * 9 + 28 * 28 * 16 * 144 + 14 * 14 * 32 * 144 + 16 * 16 * 32 * 288 + 8 * 8 * 64 * 288 + 8 * 8 * 64 * 576;
  assert.equal(multiplyAddsPerExample(config, [1, 28, 28], 10), convs + 1024 * 50 + 50 * 10);
  // He init: W1's spread is √(2/9)
  const w = net.params.W1.data;
  const std = Math.sqrt(Array.from(w).reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 9)) < 0.1, `std ${std}`);
  assert.deepEqual(net.layers[net.layers.length - 1].outputShape([100, 10]), [100, 10]);
});

test("a small DeepConvNet gives PyTorch's loss and gradients (float64, inference-mode Dropout)", () => {
  const f = fixture<{
    convs: ConvSpec[];
    inputDim: [number, number, number];
    hidden: number;
    classes: number;
    dropout: number;
    params: Record<string, number[]>;
    x: number[];
    t: number[];
    loss: number;
    grads: Record<string, number[]>;
  }>('deep-conv.json');
  const net = new DeepConvNet({ inputDim: f.inputDim, convs: f.convs, hiddenSize: f.hidden, outputSize: f.classes, dropout: f.dropout });
  for (const [name, values] of Object.entries(f.params)) net.params[name].data.set(values);
  const x = new Tensor(Float64Array.from(f.x), [f.t.length, ...f.inputDim]);
  const t = Tensor.from(f.t);
  const grads = net.gradient(x, t, { train: false });
  assertClose(net.lastLoss, f.loss, 1e-12, 'loss');
  for (const [name, expected] of Object.entries(f.grads)) assertClose(Array.from(grads[name].data), expected, 1e-10, name);
});

test('DeepConvNet, in training with fixed Dropout masks: backprop agrees with the numerical gradient', () => {
  const convs: ConvSpec[] = [
    { filters: 2, pad: 1 },
    { filters: 3, pad: 1 },
    { filters: 2, pad: 1 },
    { filters: 3, pad: 2 },
    { filters: 2, pad: 1 },
    { filters: 2, pad: 1 },
  ];
  // 4 → 4 → 2 (pool) → 2 → 4 (pad 2) → 2 (pool) → 2 → 2 → 1 (pool)
  const net = new DeepConvNet({ inputDim: [1, 4, 4], convs, hiddenSize: 5, outputSize: 3, rng: new Rng(4) });
  const n = 3;
  for (const layer of net.layers) {
    if (!(layer instanceof Dropout)) continue;
    const units = layer === net.layers[net.layers.length - 1] ? 3 : 5;
    layer.useMask(Uint8Array.from({ length: n * units }, (_, i) => (i % 3 === 1 ? 0 : 1)));
  }
  // biases off 0: with b = 0 the padded borders' pre-activations are exactly 0, Relu's kink (and with
  // these seeds no pre-activation lies within the step h = 1e-4 of it)
  const r = new Rng(12);
  for (const [name, p] of Object.entries(net.params))
    if (name.startsWith('b')) for (let i = 0; i < p.size; i++) p.data[i] = 0.3 * r.normal();
  const x = randomTensor([n, 1, 4, 4], 9);
  const t = Tensor.from([0, 2, 1]);
  for (const train of [true, false]) {
    const numerical = net.numericalGradient(x, t, train);
    const grads = net.gradient(x, t, { train });
    for (const name of Object.keys(net.params)) {
      const { relative, maxAbs } = compareGradients(grads[name], numerical[name]);
      assert.ok(relative < 1e-7 || maxAbs < 1e-10, `${name} (train ${train}): relative difference ${relative}, max ${maxAbs}`);
    }
  }
});

test('DeepConvNet refuses an odd number of convolutions and a bad size in one line', () => {
  assert.throws(() => new DeepConvNet({ convs: [{ filters: 2, pad: 1 }] }), /1 convolutions, expected pairs of them/);
  assert.throws(() => new DeepConvNet({ hiddenSize: 0 }), /hiddenSize is 0, expected a whole number ≥ 1/);
});
