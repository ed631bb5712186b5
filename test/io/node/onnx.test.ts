import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError, ShapeError } from '../../../src/errors.js';
import { modelFromJSON } from '../../../src/io/model-json.js';
import { loadMnist } from '../../../src/io/node/mnist-files.js';
import { exportedTypes, modelToOnnx } from '../../../src/io/node/onnx-export.js';
import { modelFromOnnx } from '../../../src/io/node/onnx-import.js';
import { onnxModelProto } from '../../../src/io/node/onnx-proto.js';
import { Affine } from '../../../src/layers/affine.js';
import { Convolution } from '../../../src/layers/convolution.js';
import { SoftmaxWithLoss } from '../../../src/layers/softmax-with-loss.js';
import { classProbabilities } from '../../../src/nets/probabilities.js';
import { type ModelJSON, Sequential } from '../../../src/nets/sequential.js';
import { TwoLayerNet } from '../../../src/nets/two-layer-net.js';
import { argmaxRows } from '../../../src/tensor/ops.js';
import { Rng } from '../../../src/tensor/rng.js';
import { type Nested, Tensor } from '../../../src/tensor/tensor.js';
import { assertClose } from '../../helpers/close.js';
import { fixture, repoRoot } from '../../helpers/fixtures.js';
import { runOnnx } from '../../helpers/onnx.js';
import { trainedNet } from '../../helpers/trained-net.js';

/** Runs an ONNX model in onnxruntime on float32 input of the given shape. */
test('an MLP trained here, exported, gives in onnxruntime the classes and probabilities it gives in scratchnet (1,000 MNIST test images)', async () => {
  const net = trainedNet();
  const { test: testSet } = loadMnist();
  const n = 1000;
  const x = new Tensor(
    Float64Array.from(testSet.images.subarray(0, n * 784), (p) => p / 255),
    [n, 784],
  );
  const ours = classProbabilities(net, x);
  const theirs = await runOnnx(modelToOnnx(net.toJSON()), x.data, [n, 784]);
  const theirRows = Array.from({ length: n }, (_, i) => Array.from(theirs.subarray(10 * i, 10 * i + 10)));
  assert.deepEqual([...argmaxRows(new Tensor(theirs, [n, 10]))], [...argmaxRows(net.forward(x))]);
  assertClose(theirRows, ours, 1e-5);
});

test('Sigmoid and Tanh networks export too, and export → import gives back the float32 weights', async () => {
  for (const activation of ['sigmoid', 'tanh'] as const) {
    const net = new TwoLayerNet(5, 4, 3, 0.5, activation, { rng: new Rng(2) });
    const x = Tensor.from([
      [0.1, -0.2, 0.3, 0.9, -1],
      [1, 2, 3, 4, 5],
    ]);
    const bytes = modelToOnnx(net.toJSON());
    const probs = await runOnnx(bytes, x.data, [2, 5]);
    assertClose([Array.from(probs.subarray(0, 3)), Array.from(probs.subarray(3, 6))], classProbabilities(net, x), 1e-6, activation);
    const back = modelFromJSON(modelFromOnnx(bytes));
    for (const [name, t] of Object.entries(net.params)) assert.deepEqual([...back.params[name].data], [...t.data].map(Math.fround), name);
    assert.deepEqual(
      back.layers.map((l) => l.type),
      ['Affine', activation === 'sigmoid' ? 'Sigmoid' : 'Tanh', 'Affine'],
    );
  }
});

test("PyTorch's exports import and reproduce PyTorch's outputs", () => {
  const expected = fixture<Record<string, { float32: number[][]; float64: number[][] }> & { x: number[][] }>('onnx/onnx.json');
  // PyTorch ran on float32 inputs: the same values here.
  const x = Tensor.from(expected.x.map((row) => row.map(Math.fround)));
  const bytes = (name: string) => new Uint8Array(readFileSync(join(repoRoot, 'test', 'fixtures', 'onnx', name)));
  // nn.Linear is exported as Gemm with transB = 1: W comes back transposed to inputs × outputs.
  const mlp = modelFromJSON(modelFromOnnx(bytes('torch-mlp.onnx')));
  assert.deepEqual(
    mlp.layers.map((l) => l.type),
    ['Affine', 'Relu', 'Affine'],
  );
  assert.deepEqual(mlp.params.W1.shape, [6, 5]);
  assertClose(mlp.predict(x).toArray(), expected['torch-mlp.onnx'].float32, 1e-6, 'scores vs float32');
  assertClose(mlp.predict(x).toArray(), expected['torch-mlp.onnx'].float64, 1e-12, 'scores vs float64');
  const soft = modelFromJSON(modelFromOnnx(bytes('torch-mlp-softmax.onnx')));
  assert.deepEqual(
    soft.layers.map((l) => l.type),
    ['Affine', 'Sigmoid', 'Affine', 'Tanh', 'Affine'],
  );
  assertClose(classProbabilities(soft, x), expected['torch-mlp-softmax.onnx'].float32, 1e-6, 'probabilities vs float32');
  assertClose(classProbabilities(soft, x), expected['torch-mlp-softmax.onnx'].float64, 1e-12, 'probabilities vs float64');
});

// A plain reference of the book's layers at inference, to check the conv emitters before those layers exist here.
function reference(model: ModelJSON, x: number[][][][]): number[][] {
  let a: Nested = x;
  for (const layer of model.layers) {
    const v = a as number[][][][];
    if (layer.type === 'Convolution') {
      const W = layer.W as number[][][][];
      const b = layer.b as number[];
      const [s, p] = [layer.stride as number, layer.pad as number];
      const [H, Wd] = [v[0][0].length, v[0][0][0].length];
      const oh = Math.floor((H + 2 * p - W[0][0].length) / s) + 1;
      const ow = Math.floor((Wd + 2 * p - W[0][0][0].length) / s) + 1;
      a = v.map((img) =>
        W.map((f, k) =>
          Array.from({ length: oh }, (_, i) =>
            Array.from({ length: ow }, (_, j) => {
              let sum = b[k];
              for (const [c, ch] of f.entries())
                for (const [di, row] of ch.entries())
                  for (const [dj, w] of row.entries()) {
                    const [y, xx] = [i * s + di - p, j * s + dj - p];
                    if (y >= 0 && y < H && xx >= 0 && xx < Wd) sum += w * img[c][y][xx];
                  }
              return sum;
            }),
          ),
        ),
      );
    } else if (layer.type === 'Pooling') {
      const [ph, pw, s] = [layer.poolH as number, layer.poolW as number, layer.stride as number];
      a = v.map((img) =>
        img.map((ch) =>
          Array.from({ length: Math.floor((ch.length - ph) / s) + 1 }, (_, i) =>
            Array.from({ length: Math.floor((ch[0].length - pw) / s) + 1 }, (_, j) =>
              Math.max(...ch.slice(i * s, i * s + ph).flatMap((row) => row.slice(j * s, j * s + pw))),
            ),
          ),
        ),
      );
    } else if (layer.type === 'Relu') {
      a = JSON.parse(JSON.stringify(a), (_k, val) => (typeof val === 'number' ? Math.max(0, val) : val));
    } else if (layer.type === 'BatchNormalization') {
      // Each of the C·H·W features by itself, as the book's BatchNormalization at test time.
      const rows: number[][] = (a as Nested[]).map((img) => (Array.isArray(img) ? (img.flat(3) as number[]) : [img]));
      const [g, bt, m, vr] = ['gamma', 'beta', 'runningMean', 'runningVar'].map((k) => layer[k] as number[]);
      const eps = layer.eps as number;
      const normed: number[][] = rows.map((row) => row.map((val, i) => (g[i] * (val - m[i])) / Math.sqrt(vr[i] + eps) + bt[i]));
      const first: unknown[] = (a as unknown[][])[0];
      if (Array.isArray(first[0])) {
        const image = first as number[][][];
        const C: number = image.length;
        const H: number = image[0].length;
        const W: number = image[0][0].length;
        const at = (row: number[], c: number, i: number, j: number): number => row[(c * H + i) * W + j];
        a = normed.map((row) =>
          Array.from({ length: C }, (_, c) => Array.from({ length: H }, (_, i) => Array.from({ length: W }, (_, j) => at(row, c, i, j)))),
        );
      } else a = normed;
    } else if (layer.type === 'Affine') {
      const W = layer.W as number[][];
      a = (a as Nested[]).map((img) => {
        const row = (Array.isArray(img) ? img.flat(3) : [img]) as number[];
        return W[0].map((_, k) => row.reduce((sum, val, i) => sum + val * W[i][k], (layer.b as number[])[k]));
      });
    } else if (layer.type === 'SoftmaxWithLoss') {
      a = (a as number[][]).map((row) => {
        const e = row.map((s) => Math.exp(s - Math.max(...row)));
        return e.map((val) => val / e.reduce((p, q) => p + q, 0));
      });
    }
  }
  return a as number[][];
}

test('the Convolution, Pooling and BatchNormalization emitters compute what the book computes (onnxruntime against a plain reference)', async () => {
  const rng = new Rng(9);
  const r = () => Math.round(rng.normal() * 100) / 100;
  const fill = (shape: number[]): Nested => (shape.length === 0 ? r() : Array.from({ length: shape[0] }, () => fill(shape.slice(1))));
  const model: ModelJSON = {
    layers: [
      { type: 'Convolution', W: fill([2, 1, 3, 3]), b: fill([2]), stride: 1, pad: 1 },
      { type: 'Relu' },
      {
        type: 'BatchNormalization',
        gamma: fill([32]),
        beta: fill([32]),
        momentum: 0.9,
        eps: 1e-6,
        runningMean: fill([32]),
        runningVar: (fill([32]) as number[]).map((v) => v * v + 0.1),
      },
      { type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 0 },
      { type: 'Affine', W: fill([8, 3]), b: fill([3]) },
      { type: 'SoftmaxWithLoss' },
    ],
  };
  const x = fill([2, 1, 4, 4]) as number[][][][];
  const theirs = await runOnnx(modelToOnnx(model), x.flat(3) as number[], [2, 1, 4, 4]);
  assertClose([Array.from(theirs.subarray(0, 3)), Array.from(theirs.subarray(3, 6))], reference(model, x), 1e-5);
});

test('what export cannot express is refused by name', () => {
  assert.deepEqual(exportedTypes().slice(0, 4), ['Affine', 'BatchNormalization', 'Convolution', 'Dropout']);
  const tail = [{ type: 'Affine', W: [[1]], b: [0] }, { type: 'SoftmaxWithLoss' }];
  const cases: [ModelJSON | Sequential, RegExp, (typeof InputError | typeof ShapeError)?][] = [
    [
      { layers: [{ type: 'LocalResponseNorm' }, ...tail] },
      // every registered type with an export, in the registry's order (the book's layers all have one)
      new RegExp(
        `model.layers\\[0\\] is "LocalResponseNorm", which ONNX export does not support; it exports ${exportedTypes().join(', ')}$`,
      ),
    ],
    [{ layers: [{ type: 'Dropout', dropoutRatio: 0.5 }, ...tail] }, /^model.layers\[0\] has no "ratio"$/],
    [
      {
        layers: [
          { type: 'Convolution', W: [[[[1]]]], b: [0], stride: 1, pad: 0 },
          { type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 1 },
          ...tail,
        ],
      },
      /Pooling with pad 1 cannot be exported/,
    ],
    [
      { layers: [...tail.slice(0, 1), { type: 'Convolution', W: [[[[1]]]], b: [0], stride: 1, pad: 0 }, tail[1]] },
      /^Convolution#2: x is 1×1 but W is 1×1×1×1, expected x of N×C×H×W$/,
      ShapeError,
    ],
    [
      // a network built in code is not checked as a file is: export itself refuses the order
      new Sequential(
        [new Affine(Tensor.from([[1]]), Tensor.from([0])), new Convolution(Tensor.from([[[[1]]]]), Tensor.from([0]))],
        new SoftmaxWithLoss(),
      ),
      /Convolution after a layer that flattens/,
    ],
    [{ layers: [{ type: 'Convolution', W: [[[[1]]]], b: [0], stride: 0, pad: 0 }, ...tail] }, /stride is 0, expected a whole number ≥ 1/],
    [{ layers: [{ type: 'Affine', W: [[1]], b: [0] }] }, /ends with "Affine", expected the loss layer SoftmaxWithLoss last/],
  ];
  for (const [model, message, Kind = InputError] of cases)
    assert.throws(
      () => modelToOnnx(model),
      (e: Error) => e instanceof Kind && message.test(e.message),
      String(message),
    );
});

test('what import cannot read gets one clear error', () => {
  const float = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: 1, float_data: values });
  const io = (name: string) => ({ name });
  const graph = (node: unknown[], extra: Record<string, unknown> = {}) =>
    onnxModelProto()
      .encode(
        onnxModelProto().fromObject({
          ir_version: 7,
          opset_import: [{ domain: '', version: 13 }],
          graph: { node, initializer: [float('W', [1, 1], [2]), float('b', [1], [0])], input: [io('x')], output: [io('y')], ...extra },
        }),
      )
      .finish();
  const gemm = { op_type: 'Gemm', input: ['x', 'W', 'b'], output: ['y'] };
  const cases: [Uint8Array, RegExp][] = [
    [Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0x0f), /m.onnx is not an ONNX model: /],
    [new TextEncoder().encode('{"layers": []}'), /m.onnx is not an ONNX model/],
    [graph([]), /not an ONNX model with a graph/],
    [
      graph([{ op_type: 'Conv', input: ['x'], output: ['c'] }, { op_type: 'MaxPool', input: ['c'], output: ['y'] }, { op_type: 'Conv' }]),
      /m.onnx uses Conv, MaxPool, which scratchnet cannot import; it imports Gemm, MatMul/,
    ],
    [graph([{ ...gemm, domain: 'com.microsoft' }]), /uses com.microsoft:Gemm/],
    [graph([{ ...gemm, input: ['W', 'x', 'b'] }]), /node 0 \(Gemm\) reads "W", expected "x": import takes a single chain/],
    [graph([{ ...gemm, input: ['x', 'nope'] }]), /B "nope" is not a constant of the graph/],
    [graph([{ ...gemm, attribute: [{ name: 'transA', type: 2, i: 1 }] }]), /transA = 1/],
    [graph([{ op_type: 'Add', input: ['x', 'b'], output: ['y'] }]), /adds outside a MatMul \+ Add pair/],
    [
      graph([
        { op_type: 'Relu', input: ['x'], output: ['r'] },
        { op_type: 'Softmax', input: ['r'], output: ['s'] },
        { op_type: 'Relu', input: ['s'], output: ['y'] },
      ]),
      /Softmax only at the end/,
    ],
    [graph([{ op_type: 'Relu', input: ['x'], output: ['z'] }]), /the chain ends at "z" but the graph outputs "y"/],
    [graph([gemm], { input: [io('x'), io('x2')] }), /the graph has 2 inputs besides its weights, expected 1/],
    [
      graph([gemm], { initializer: [float('W', [2, 2], [1, 2, 3]), float('b', [1], [0])] }),
      /initializer "W" is 2×2 \(4 values\) but holds 3/,
    ],
    [
      graph([gemm], { initializer: [{ name: 'W', dims: [1, 1], data_type: 7, int64_data: [1] }, float('b', [1], [0])] }),
      /has data type 7, expected float \(1\) or double \(11\)/,
    ],
    [graph([gemm], { initializer: [{ ...float('W', [1, 1], []), data_location: 1 }, float('b', [1], [0])] }), /external file/],
    [
      graph([gemm], { initializer: [float('W', [0, 1000000000], []), float('b', [1], [0])] }),
      /is 0×1000000000, expected a non-empty weight/,
    ],
    [graph([gemm], { initializer: [float('W', [1, 1], [Number.NaN]), float('b', [1], [0])] }), /not a finite number/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => modelFromOnnx(bytes, 'm.onnx'),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
  }
  // MatMul + Add, Flatten, Identity and Dropout read as one Affine.
  const ok = graph([
    { op_type: 'Flatten', input: ['x'], output: ['f'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
    { op_type: 'MatMul', input: ['f', 'W'], output: ['m'] },
    { op_type: 'Add', input: ['b', 'm'], output: ['a'] },
    { op_type: 'Dropout', input: ['a'], output: ['d'] },
    { op_type: 'Identity', input: ['d'], output: ['y'] },
  ]);
  assert.deepEqual(modelFromOnnx(ok), { layers: [{ type: 'Affine', W: [[2]], b: [0] }, { type: 'SoftmaxWithLoss' }] });
});

test("the book's convolutional and batch-norm networks export: onnxruntime gives what scratchnet's inference gives", async () => {
  const { SimpleConvNet } = await import('../../../src/nets/simple-conv-net.js');
  const { MultiLayerNetExtend } = await import('../../../src/nets/multi-layer-net.js');
  const rng = new Rng(4);
  const conv = new SimpleConvNet({
    inputDim: [1, 12, 12],
    filterNum: 4,
    filterSize: 3,
    hiddenSize: 8,
    outputSize: 5,
    weightInit: 0.3,
    rng,
  });
  const extend = new MultiLayerNetExtend(6, [5, 4], 3, { batchNorm: true, dropout: 0.3, activation: 'tanh', rng });
  // Give batch norm running statistics that are not the initial ones.
  for (let i = 0; i < 3; i++)
    extend.loss(
      Tensor.from(Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => rng.normal()))),
      Tensor.from([0, 1, 2, 0]),
      true,
    );
  for (const [net, shape] of [
    [conv, [3, 1, 12, 12]],
    [extend, [3, 6]],
  ] as const) {
    const x = Tensor.zeros([...shape]);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
    const ours = classProbabilities(net, x);
    const theirs = await runOnnx(modelToOnnx(net.toJSON()), x.data, [...shape]);
    assertClose(Array.from(theirs), ours.flat(), 1e-5);
  }
});

test('import reads the spec as onnxruntime does: Constant value, value_float(s), transB non-zero, the opset checked', async () => {
  const float = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: 1, float_data: values });
  const model = (node: unknown[], opset: { domain?: string; version: number }[] = [{ domain: '', version: 13 }]) =>
    onnxModelProto()
      .encode(
        onnxModelProto().fromObject({
          ir_version: 7,
          opset_import: opset,
          graph: {
            node,
            input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 3 }] } } } }],
            output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
          },
        }),
      )
      .finish();
  // B is outputs × inputs (2×3), as transB asks; the weights and the bias are Constant nodes
  const nodes = (transB: number, bias: unknown) => [
    { op_type: 'Constant', output: ['B'], attribute: [{ name: 'value', type: 4, t: float('', [2, 3], [1, -2, 0.5, 3, 0.25, -1]) }] },
    { op_type: 'Constant', output: ['c'], attribute: [bias] },
    { op_type: 'Gemm', input: ['x', 'B', 'c'], output: ['g'], attribute: [{ name: 'transB', type: 2, i: transB }] },
    { op_type: 'Softmax', input: ['g'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
  ];
  const x = [0.5, -1, 2, 1.5, 0.25, -0.75];
  const ours = (bytes: Uint8Array) => classProbabilities(modelFromJSON(modelFromOnnx(bytes)), new Tensor(Float64Array.from(x), [2, 3]));
  const biases = [
    { name: 'value_floats', type: 6, floats: [0.1, -0.3] },
    { name: 'value', type: 4, t: float('', [2], [0.1, -0.3]) },
  ];
  for (const transB of [1, 2, -1])
    for (const bias of biases) {
      const bytes = model(nodes(transB, bias));
      const theirs = await runOnnx(bytes, x, [2, 3]);
      assertClose(
        ours(bytes),
        [Array.from(theirs.subarray(0, 2)), Array.from(theirs.subarray(2, 4))],
        1e-6,
        `transB ${transB}, ${bias.name}`,
      );
    }
  // a scalar bias (value_float) broadcasts over the outputs
  const scalar = model(nodes(1, { name: 'value_float', type: 1, f: 0.5 }));
  assert.deepEqual(modelFromOnnx(scalar).layers[0].b, [0.5, 0.5]);

  const refused: [Uint8Array, RegExp][] = [
    [
      model(nodes(1, { name: 'value_int', type: 2, i: 3 })),
      /node 1 \(Constant\) has no value, expected a tensor "value" \(or value_float, value_floats\)/,
    ],
    [model(nodes(1, biases[0]), []), /declares no opset of the ONNX operators, expected one from 7 to 21/],
    [model(nodes(1, biases[0]), [{ domain: 'com.microsoft', version: 1 }]), /declares no opset of the ONNX operators/],
    [model(nodes(1, biases[0]), [{ domain: '', version: 6 }]), /uses ONNX opset 6, expected one from 7 to 21/],
    [model(nodes(1, biases[0]), [{ domain: 'ai.onnx', version: 99 }]), /uses ONNX opset 99, expected one from 7 to 21/],
  ];
  for (const [bytes, message] of refused)
    assert.throws(
      () => modelFromOnnx(bytes, 'm.onnx'),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
});
