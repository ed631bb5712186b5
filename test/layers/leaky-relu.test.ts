import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { trace } from '../../src/explain/trace.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { LeakyRelu } from '../../src/layers/leaky-relu.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

// The values PyTorch gives (float64), made by:
//   x = torch.tensor(X, requires_grad=True); y = F.leaky_relu(x, alpha)
//   (dx,) = torch.autograd.grad(y, x, DOUT)
// and, for the network, F.cross_entropy(F.leaky_relu(X @ W1 + b1, 0.2) @ W2 + b2, t).backward().
const X = [
  [-1.5, -0.2, 0.0, 0.3, 2.0],
  [0.7, -3.0, 1.2, -0.01, 0.0],
];
const DOUT = [
  [0.5, -1.0, 2.0, 0.25, -0.75],
  [1.5, 0.3, -0.2, 0.8, 1.0],
];
const TORCH: Record<string, { out: number[][]; dx: number[][] }> = {
  '0.01': {
    out: [
      [-0.015, -0.002, 0.0, 0.3, 2.0],
      [0.7, -0.03, 1.2, -0.0001, 0.0],
    ],
    dx: [
      [0.005, -0.01, 0.02, 0.25, -0.75],
      [1.5, 0.003, -0.2, 0.008, 0.01],
    ],
  },
  '0.2': {
    out: [
      [-0.30000000000000004, -0.04000000000000001, 0.0, 0.3, 2.0],
      [0.7, -0.6000000000000001, 1.2, -0.002, 0.0],
    ],
    dx: [
      [0.1, -0.2, 0.4, 0.25, -0.75],
      [1.5, 0.06, -0.2, 0.16000000000000003, 0.2],
    ],
  },
};
const NET = {
  x: [
    [0.5, -1.0, 2.0],
    [1.0, 0.2, -0.3],
    [-0.4, 0.8, 0.1],
  ],
  t: [0, 1, 1],
  W1: [
    [0.2, -0.5, 0.1, 0.4],
    [-0.3, 0.2, 0.6, -0.1],
    [0.1, 0.3, -0.2, 0.5],
  ],
  b1: [0.0, 0.1, -0.1, 0.05],
  W2: [
    [0.3, -0.2],
    [0.1, 0.4],
    [-0.5, 0.2],
    [0.2, 0.1],
  ],
  b2: [0.01, -0.02],
  loss: 0.5612149207053538,
  dW1: [
    [0.047744423502531504, 0.024669555197905334, -0.0708536957330033, 0.009548884700506301],
    [0.08912779870090336, -0.07149310788052664, -0.11675591252234632, 0.017825559740180675],
    [-0.14677896962171635, 0.07272432967683594, 0.06016875858194243, -0.029355793924343277],
  ],
  db1: [0.03601509087723976, -0.013919593781257414, -0.1953243785500674, 0.00720301817544795],
  dW2: [
    [-0.06373470374387269, 0.06373470374387269],
    [0.02069353216710982, -0.020693532167109834],
    [0.09948604421155695, -0.09948604421155696],
    [-0.12280748147214789, 0.12280748147214786],
  ],
  db2: [0.1806652973600456, -0.18066529736004566],
};

test('LeakyRelu forward and backward give PyTorch’s leaky_relu and its gradient, at α = 0.01 (the default) and 0.2', () => {
  for (const [alpha, expected] of Object.entries(TORCH)) {
    const layer = alpha === '0.01' ? new LeakyRelu() : new LeakyRelu(Number(alpha));
    assertClose(layer.forward(Tensor.from(X)).toArray(), expected.out, 1e-15, `out, α ${alpha}`);
    const dout = Tensor.from(DOUT);
    assertClose(layer.backward(dout).toArray(), expected.dx, 1e-15, `dx, α ${alpha}`);
    assert.deepEqual(dout.toArray(), DOUT, 'backward leaves dout as it was');
  }
});

test('LeakyRelu backward matches the numerical gradient (float64)', () => {
  checkLayerGradients(new LeakyRelu(0.1), randomTensor([3, 7], 2));
  checkLayerGradients(new LeakyRelu(), randomTensor([2, 2, 3, 3], 3));
});

test('a network with a LeakyRelu gives PyTorch’s loss and gradients; explain names its steps a1, da1 and check recomputes them', () => {
  const net = modelFromJSON({
    layers: [
      { type: 'Affine', W: NET.W1, b: NET.b1 },
      { type: 'LeakyRelu', alpha: 0.2 },
      { type: 'Affine', W: NET.W2, b: NET.b2 },
      { type: 'SoftmaxWithLoss' },
    ],
  });
  const x = Tensor.from(NET.x);
  const t = Tensor.from(NET.t);
  const grads = net.gradient(x, t);
  assert.ok(Math.abs(net.lastLoss - NET.loss) < 1e-15, `loss ${net.lastLoss}`);
  for (const name of ['W1', 'b1', 'W2', 'b2'] as const) assertClose(grads[name].toArray(), NET[`d${name}`], 1e-15, `d${name}`);
  const tr = trace(net, x, t);
  assert.deepEqual(
    tr.steps.map((s) => s.name),
    ['z1', 'a1', 'z2', 'y', 'loss', 'dz2', 'dW2', 'db2', 'da1', 'dz1', 'dW1', 'db1', 'dx'],
  );
  const a1 = tr.steps.find((s) => s.name === 'a1');
  const dz1 = tr.steps.find((s) => s.name === 'dz1');
  assert.equal(a1?.formula, 'a1 = leakyrelu(z1)');
  assert.equal(dz1?.formula, 'dz1 = da1 ⊙ leakyrelu′(z1)');
  for (const step of [a1, dz1]) {
    const args = step?.operands.map((n) => tr.values.get(n) as Tensor) ?? [];
    assertClose(step?.recompute?.(args).toArray(), step?.value.toArray() ?? [], 1e-15, step?.name);
  }
});

test('LeakyRelu in the model JSON: alpha defaults to 0.01, and one that is not a number ≥ 0 is refused', () => {
  const read = (layer: object) => modelFromJSON({ layers: [{ type: 'Affine', W: [[1]], b: [0] }, layer, { type: 'SoftmaxWithLoss' }] });
  assert.deepEqual(read({ type: 'LeakyRelu' }).layers[1].toJSON(), { type: 'LeakyRelu', alpha: 0.01 });
  assert.throws(() => read({ type: 'LeakyRelu', alpha: -0.5 }), /model.layers\[1\].alpha is -0.5, expected a number ≥ 0/);
  assert.throws(() => new LeakyRelu(Number.NaN), InputError);
});
