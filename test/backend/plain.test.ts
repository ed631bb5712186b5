import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plain } from '../../src/backend/plain.js';
import { Rng } from '../../src/tensor/rng.js';

// The textbook triple loop, the plain gemm's own reference.
function naive(tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

const normal = (size: number, rng: Rng, zeros = 0) => Float64Array.from({ length: size }, () => (rng.uniform() < zeros ? 0 : rng.normal()));

test('the plain gemm agrees with the textbook loop on every transpose flag and odd sizes, adds the bias, overwrites C', () => {
  const rng = new Rng(1);
  for (const [m, n, k] of [
    [1, 1, 1],
    [3, 5, 7],
    [8, 9, 17],
    [13, 4, 33],
  ])
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const a = normal(m * k, rng, 0.4);
        const b = normal(k * n, rng);
        const bias = normal(n, rng);
        const c = new Float64Array(m * n).fill(9);
        plain.gemm({ a, b, c, m, n, k, transA: tA, transB: tB, bias });
        const expected = naive(tA, tB, m, n, k, a, b).map((v, i) => v + bias[i % n]);
        for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] - expected[i]) < 1e-12, `${m}×${n}×${k} tA=${tA} tB=${tB}: c[${i}]`);
      }
});

test('the plain elementwise kernels are the book’s formulas, NaN and ±0 as the book’s masks', () => {
  const x = Float64Array.of(-2, -0, 0, 0.5, Number.NaN, 3);
  const out = new Float64Array(6);
  plain.reluForward(x, out);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0.5, Number.NaN, 3]);
  assert.ok(Object.is(out[1], 0), 'relu(−0) is +0');
  const dout = Float64Array.of(1, 2, 3, 4, 5, 6);
  const dx = new Float64Array(6);
  plain.reluBackward(out, dout, dx);
  assert.deepEqual(Array.from(dx), [0, 0, 0, 4, 5, 6]);
  plain.sigmoid(Float64Array.of(0.9, 0.4), out.subarray(0, 2));
  assert.ok(Math.abs(out[0] - 0.7109495026250039) < 1e-15 && Math.abs(out[1] - 0.598687660112452) < 1e-15);
  plain.sigmoidBackward(Float64Array.of(0.5), Float64Array.of(2), dx.subarray(0, 1));
  assert.equal(dx[0], 0.5);
  plain.tanhForward(Float64Array.of(1), out.subarray(0, 1));
  assert.equal(out[0], Math.tanh(1));
  plain.tanhBackward(Float64Array.of(0.5), Float64Array.of(2), dx.subarray(0, 1));
  assert.equal(dx[0], 1.5);
});

test('normalizeBytes gives byte / 255 for every byte; gemmNormalizedBytes is normalizeBytes then gemm, bit for bit', () => {
  const width = 37;
  const bytes = new Uint8Array(10 * width);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) % 256;
  for (let v = 0; v < 256; v++) bytes[v] = v;
  const rows = [0, 1, 2, 3, 4, 5, 6, 9, 7, 7];
  for (const Float of [Float64Array, Float32Array]) {
    const x = new Float(rows.length * width);
    plain.normalizeBytes({ bytes, rows, width }, x);
    rows.forEach((row, i) => {
      for (let j = 0; j < width; j++) assert.equal(x[i * width + j], Float.from([bytes[row * width + j] / 255])[0]);
    });
    const rng = new Rng(3);
    const W = Float.from(Array.from({ length: width * 5 }, () => rng.normal()));
    const b = Float.from(Array.from({ length: 5 }, () => rng.normal()));
    const expected = new Float(rows.length * 5);
    plain.gemm({ a: x, b: W, c: expected, m: rows.length, n: 5, k: width, bias: b });
    const out = new Float(rows.length * 5);
    plain.gemmNormalizedBytes({ bytes, rows, width }, W, b, out);
    assert.deepEqual(out, expected);
  }
});

test('the plain SGD and Adam steps are the book’s update rules', () => {
  const p = Float64Array.of(1, -2);
  plain.sgd(p, Float64Array.of(0.5, -1), 0.1);
  assert.deepEqual(Array.from(p), [0.95, -1.9]);
  const q = Float64Array.of(1);
  const m = new Float64Array(1);
  const v = new Float64Array(1);
  // the first step of the book's Adam: lr_t = lr·√(1 − β2)/(1 − β1), m = 0.1·g, v = 0.001·g²
  const lrT = (0.001 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
  plain.adam(q, Float64Array.of(2), m, v, lrT, 0.9, 0.999);
  assert.ok(Math.abs(m[0] - 0.2) < 1e-15 && Math.abs(v[0] - 0.004) < 1e-15);
  assert.ok(Math.abs(q[0] - (1 - (lrT * 0.2) / (Math.sqrt(0.004) + 1e-7))) < 1e-15);
  assert.deepEqual(plain.stateArray(3), new Float64Array(3));
});
