import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { addRowVector, allFinite, argmaxRows, matmul, sumRows } from '../../src/tensor/ops.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/fixtures.js';
import { randomTensor } from '../helpers/gradcheck.js';

interface Product {
  transA: boolean;
  transB: boolean;
  a: number[][];
  b: number[][];
  c: number[][];
}

test('matmul matches NumPy for every transpose flag, float64 and float32', () => {
  const { products } = fixture<{ products: Product[] }>('matmul.json');
  for (const p of products) {
    const c = matmul(Tensor.from(p.a), Tensor.from(p.b), { transA: p.transA, transB: p.transB });
    assertClose(c.toArray(), p.c, 1e-12, `transA=${p.transA} transB=${p.transB}`);
    const c32 = matmul(Tensor.from(p.a, 'float32'), Tensor.from(p.b, 'float32'), { transA: p.transA, transB: p.transB });
    assert.equal(c32.dtype, 'float32');
    assertClose(c32.toArray(), p.c, 1e-4);
  }
});

test('matmul on odd sizes agrees with the textbook triple loop, and overwrites out', () => {
  for (const [m, n, k] of [
    [7, 9, 13],
    [1, 5, 6],
    [33, 2, 31],
  ]) {
    const a = randomTensor([m, k], m);
    const b = randomTensor([k, n], n);
    const out = Tensor.zeros([m, n]).reshape([m, n]);
    out.data.fill(42);
    const c = matmul(a, b, { out });
    assert.equal(c, out);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
        assert.ok(Math.abs(c.data[i * n + j] - s) < 1e-12);
      }
  }
});

test('matmul names both shapes when the inner sizes differ', () => {
  assert.throws(
    () => matmul(Tensor.zeros([1, 3]), Tensor.zeros([2, 2])),
    (e: Error) => e instanceof ShapeError && e.message === 'matmul: a is 1×3 but b is 2×2, expected the inner sizes to match',
  );
  assert.throws(() => matmul(Tensor.zeros([3, 1]), Tensor.zeros([2, 2]), { transA: true }), /aᵀ is 1×3 but b is 2×2/);
  assert.throws(() => matmul(Tensor.zeros([3]), Tensor.zeros([3, 1])), /a is 3, expected a matrix/);
});

test('bias broadcast, row sums and argmax', () => {
  const x = Tensor.from([
    [1, 5, 2],
    [7, 0, 3],
  ]);
  assert.deepEqual(addRowVector(x, Tensor.from([1, 2, 3])).toArray(), [
    [2, 7, 5],
    [8, 2, 6],
  ]);
  assert.deepEqual(sumRows(x).toArray(), [8, 5, 5]);
  assert.deepEqual(Array.from(argmaxRows(x)), [1, 0]);
  assert.throws(() => addRowVector(x, Tensor.from([1, 2])), /x is 2×3 but b is 2/);
});

test('allFinite finds a NaN or an infinity at any place, and passes the largest finite floats', () => {
  for (const n of [0, 1, 3, 4, 7, 9]) {
    const f64 = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1.7976931348623157e308 : 1.7976931348623157e308));
    assert.equal(allFinite(f64), true, `${n} entries`);
    assert.equal(allFinite(new Float32Array(n).fill(3.4028234663852886e38)), true);
    for (let at = 0; at < n; at++) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const x = new Float64Array(n).fill(1);
        x[at] = bad;
        assert.equal(allFinite(x), false, `${bad} at ${at} of ${n}`);
        assert.equal(allFinite(Float32Array.from(x)), false);
      }
    }
  }
});
