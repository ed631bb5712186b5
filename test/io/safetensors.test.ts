import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { SEED_MODEL } from '../../src/explain/seed-example.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { modelFromSafetensors, modelJSONFromSafetensors, modelToSafetensors } from '../../src/io/model-safetensors.js';
import { decodeSafetensors, encodeSafetensors, looksLikeSafetensors } from '../../src/io/safetensors.js';
import type { ModelJSON, Sequential } from '../../src/nets/sequential.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Rng } from '../../src/tensor/rng.js';

/** The bits of every float64 parameter of a network, to compare exactly (−0 and all). */
function bits(net: Sequential): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, t] of Object.entries(net.params)) out[name] = Buffer.from(new Float64Array(t.data).buffer).toString('hex');
  return out;
}

/** A file built by hand from the format's description, independently of the encoder. */
function handMade(header: unknown, data: Buffer, pad = ''): Uint8Array {
  const json = Buffer.from(JSON.stringify(header) + pad);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return new Uint8Array(Buffer.concat([length, json, data]));
}

const awkward = [0.1, -0, 5e-324, -1.7976931348623157e308, 1 / 3, 2 ** -1074 * 3, 123456789.12345679, -2.5e-300];

test('every layer type round-trips bit-exactly through safetensors and through JSON text', () => {
  for (const activation of ['relu', 'sigmoid', 'tanh'] as const) {
    const net = new TwoLayerNet(7, 5, 3, 0.3, activation, { rng: new Rng(11) });
    net.params.W1.data.set(awkward);
    const viaSafetensors = modelFromSafetensors(modelToSafetensors(net));
    const viaJSON = modelFromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    assert.deepEqual(bits(viaSafetensors), bits(net), activation);
    assert.deepEqual(
      viaSafetensors.layers.map((l) => l.type),
      net.layers.map((l) => l.type),
    );
    assert.equal(viaSafetensors.lastLayer.type, 'SoftmaxWithLoss');
    // JSON text keeps every bit except the sign of zero, which JSON cannot write.
    const jsonBits = bits(viaJSON);
    net.params.W1.data[1] = 0;
    assert.deepEqual(jsonBits, bits(net), activation);
  }
});

test('a model JSON round-trips exactly: JSON → safetensors → JSON', () => {
  const json = new TwoLayerNet(4, 6, 2, 0.1, 'tanh', { rng: new Rng(3) }).toJSON();
  const back = modelJSONFromSafetensors(modelToSafetensors(json));
  assert.equal(JSON.stringify(back), JSON.stringify(json));
  assert.deepEqual(modelJSONFromSafetensors(modelToSafetensors(SEED_MODEL as ModelJSON)), SEED_MODEL);
});

test('any numeric array field of any layer becomes a tensor; other fields stay in the metadata', () => {
  const json = {
    layers: [
      { type: 'Convolution', W: [[[[1, 2]]], [[[3, 4]]]], b: [0.5, -0.5], stride: 1, pad: 0 },
      { type: 'BatchNormalization', gamma: [1, 1], beta: [0, 0], momentum: 0.9, eps: 1e-7, runningMean: [0.1, 0.2], runningVar: [1, 2] },
      { type: 'Note', labels: ['a', 'b'], empty: [], nested: { x: 1 } },
      { type: 'SoftmaxWithLoss' },
    ],
  };
  const bytes = modelToSafetensors(json);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(
    [...tensors.keys()],
    ['layers.0.W', 'layers.0.b', 'layers.1.gamma', 'layers.1.beta', 'layers.1.runningMean', 'layers.1.runningVar'],
  );
  assert.deepEqual(tensors.get('layers.0.W')?.shape, [2, 1, 1, 2]);
  const architecture = JSON.parse(metadata['scratchnet.model']);
  assert.equal(architecture.version, 1);
  assert.deepEqual(architecture.layers[0], {
    type: 'Convolution',
    W: { tensor: 'layers.0.W' },
    b: { tensor: 'layers.0.b' },
    stride: 1,
    pad: 0,
  });
  assert.deepEqual(architecture.layers[2], { type: 'Note', labels: ['a', 'b'], empty: [], nested: { x: 1 } });
  assert.deepEqual(modelJSONFromSafetensors(bytes), json);
});

test('the layout is the published one: a file made by hand reads, and ours has the same bytes', () => {
  const data = Buffer.alloc(24);
  data.writeDoubleLE(0.1, 0);
  data.writeDoubleLE(-0.2, 8);
  data.writeDoubleLE(0.7, 16);
  const model = {
    format: 'scratchnet.model',
    version: 1,
    layers: [{ type: 'Affine', W: { tensor: 'layers.0.W' }, b: { tensor: 'layers.0.b' } }, { type: 'SoftmaxWithLoss' }],
  };
  const header = {
    __metadata__: { 'scratchnet.model': JSON.stringify(model) },
    'layers.0.W': { dtype: 'F64', shape: [2, 1], data_offsets: [0, 16] },
    'layers.0.b': { dtype: 'F64', shape: [1], data_offsets: [16, 24] },
  };
  const json = { layers: [{ type: 'Affine', W: [[0.1], [-0.2]], b: [0.7] }, { type: 'SoftmaxWithLoss' }] };
  assert.deepEqual(modelJSONFromSafetensors(handMade(header, data, '   ')), json);
  const ours = modelToSafetensors(json);
  const length = Number(Buffer.from(ours).readBigUInt64LE(0));
  assert.equal((8 + length) % 8, 0, 'data starts 8-aligned');
  assert.deepEqual(JSON.parse(Buffer.from(ours.subarray(8, 8 + length)).toString()), header);
  assert.deepEqual(Buffer.from(ours.subarray(8 + length)), data);
  assert.ok(looksLikeSafetensors(ours));
  assert.ok(!looksLikeSafetensors(new TextEncoder().encode(JSON.stringify(json))));
});

test('float32 storage halves the data and reads back as the rounded values', () => {
  const net = new TwoLayerNet(5, 4, 3, 0.2, 'relu', { rng: new Rng(5) });
  const f32 = modelToSafetensors(net, { dtype: 'float32' });
  const back = modelFromSafetensors(f32);
  for (const [name, t] of Object.entries(net.params)) assert.deepEqual([...back.params[name].data], [...t.data].map(Math.fround), name);
  assert.equal(decodeSafetensors(f32).tensors.get('layers.0.W')?.dtype, 'F32');
});

test('broken files get one named error each', () => {
  const good = { 'layers.0.b': { dtype: 'F64', shape: [1], data_offsets: [0, 8] } };
  const meta = (model: unknown) => ({ __metadata__: { 'scratchnet.model': JSON.stringify(model) } });
  const arch = (layers: unknown) => meta({ version: 1, layers });
  const eight = Buffer.alloc(8);
  const lengthOnly = (n: bigint) => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(n);
    return new Uint8Array(b);
  };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(3), /3 bytes is too short/],
    [lengthOnly(2n ** 63n), /header length is 9223372036854775808 bytes but the file has 8 after it/],
    [lengthOnly(9n), /header length is 9 bytes but the file has 8/],
    [handMade('x', eight), /the header is "x", expected an object/],
    [handMade([], eight), /the header is an array of 0/],
    [new Uint8Array([...lengthOnly(3n).subarray(0, 8), 0x7b, 0xff, 0x7d]), /the header is not valid JSON/],
    [handMade({ t: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, eight), /tensor "t" has dtype "BF16", expected "F64" or "F32"/],
    [handMade({ t: { dtype: 'F64', shape: [-1], data_offsets: [0, 8] } }, eight), /tensor "t" has shape \[-1\]/],
    [handMade({ t: { dtype: 'F64', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1], data_offsets: [0, 8] } }, eight), /at most 8 whole numbers/],
    [
      handMade({ t: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }, eight),
      /F64 2 \(2 values\) but its data_offsets span 8 bytes, expected 16/,
    ],
    [handMade({ t: { dtype: 'F64', shape: [1], data_offsets: [8, 0] } }, eight), /0 ≤ begin ≤ end/],
    [handMade({ t: { dtype: 'F64', shape: [1], data_offsets: [0, 8.5] } }, eight), /expected \[begin, end\]/],
    [handMade({ t: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, eight), /ends at byte 16 but the data has 8.*truncated/],
    [handMade({ t: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } }, Buffer.alloc(16)), /starts at byte 8 and leaves a gap/],
    [
      handMade(
        { a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, b: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } },
        Buffer.alloc(16),
      ),
      /starts at byte 8 and overlaps/,
    ],
    [handMade(good, Buffer.alloc(16)), /the tensors take 8 bytes but the data has 16/],
    [handMade({ ...good, __metadata__: { a: 1 } }, eight), /__metadata__\["a"\] is 1, expected a string/],
    [handMade(good, eight), /__metadata__ has no "scratchnet.model"/],
    [handMade({ ...good, __metadata__: { 'scratchnet.model': '{' } }, eight), /scratchnet.model is not valid JSON/],
    [handMade({ ...good, ...meta({ version: 2, layers: [] }) }, eight), /has version 2, expected 1/],
    [
      handMade({ ...good, ...arch([{ type: 'Affine', b: { tensor: 'nope' } }]) }, eight),
      /layers\[0\].b refers to tensor "nope", which the file does not have/,
    ],
    [handMade({ ...good, ...arch([{ type: 'SoftmaxWithLoss' }]) }, eight), /tensor "layers.0.b" is not used by any layer/],
    [
      handMade({ ...good, ...arch([{ type: 'Affine', W: { tensor: 'layers.0.b' }, b: { tensor: 'layers.0.b' } }]) }, eight),
      /refers to tensor "layers.0.b" a second time/,
    ],
    [
      handMade({ t: { dtype: 'F64', shape: [0], data_offsets: [0, 0] }, ...arch([{ type: 'X', v: { tensor: 't' } }]) }, Buffer.alloc(0)),
      /is 0, expected a non-empty array/,
    ],
    [
      handMade({ ...good, ...arch([{ type: 'Affine', W: [[1]], b: { tensor: 'layers.0.b' } }, { type: 'Relu' }]) }, eight),
      /expected the loss layer SoftmaxWithLoss last/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => modelFromSafetensors(bytes),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
  }
});

test('encodeSafetensors refuses a tensor named __metadata__', () => {
  assert.throws(
    () => encodeSafetensors(new Map([['__metadata__', { dtype: 'F64', shape: [1], data: Float64Array.of(1) }]]), {}),
    InputError,
  );
});

test("the book's other networks round-trip bit-exactly too: SimpleConvNet, MultiLayerNetExtend with batch norm and dropout", async () => {
  const { SimpleConvNet } = await import('../../src/nets/simple-conv-net.js');
  const { MultiLayerNetExtend } = await import('../../src/nets/multi-layer-net.js');
  const { Tensor } = await import('../../src/tensor/tensor.js');
  const rng = new Rng(5);
  const conv = new SimpleConvNet({ inputDim: [1, 10, 10], filterNum: 3, filterSize: 3, hiddenSize: 6, outputSize: 4, rng });
  const extend = new MultiLayerNetExtend(5, [4, 3], 2, { batchNorm: true, dropout: 0.3, activation: 'tanh', weightDecay: 0.1, rng });
  const x = Tensor.zeros([6, 5]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
  extend.loss(x, Tensor.from([0, 1, 1, 0, 1, 0]), true); // running statistics that are not the initial ones
  for (const net of [conv, extend]) {
    const json = JSON.stringify(net.toJSON());
    const back = modelFromSafetensors(modelToSafetensors(net));
    assert.deepEqual(bits(back), bits(net));
    assert.equal(JSON.stringify(back.toJSON()), json, 'running statistics, stride, pad, ratio and eps come back as they were');
    assert.equal(JSON.stringify(modelFromJSON(JSON.parse(json)).toJSON()), json);
  }
});
