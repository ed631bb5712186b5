import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, ShapeError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

test('Tensor.from reads nested arrays row-major and back', () => {
  const t = Tensor.from([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(Tensor.from(3).rank, 0);
  assert.equal(Tensor.from([[1]], 'float32').data.constructor, Float32Array);
});

test('ragged, non-numeric and non-finite arrays are named errors', () => {
  assert.throws(
    () => Tensor.from([[1, 2], [3]], 'float64', 'W'),
    (e: Error) => e instanceof InputError && /W\[1\] has 1 entries, expected an array of 2/.test(e.message),
  );
  assert.throws(() => Tensor.from([[1, 'a']] as never, 'float64', 'x'), /x\[0\]\[1\] is "a", expected a finite number/);
  assert.throws(() => Tensor.from([[1, Number.NaN]], 'float64', 'x'), /x\[0\]\[1\] is NaN/);
  assert.throws(() => Tensor.from([[1, null]] as never, 'float64', 'x'), /x\[0\]\[1\] is null/);
});

test('reshape is a view and checks the size', () => {
  const t = Tensor.from([[1, 2, 3, 4]]);
  const v = t.reshape([2, -1]);
  assert.deepEqual(v.shape, [2, 2]);
  v.data[0] = 9;
  assert.equal(t.data[0], 9);
  assert.throws(
    () => t.reshape([3, 2]),
    (e: Error) => e instanceof ShapeError && /cannot view 1×4 as 3×2/.test(e.message),
  );
});

test('Rng: same seed, same numbers; different seeds differ; state restores', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.uniform()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => new Rng(8).uniform()),
  );
  const state = a.state();
  const next = a.normal();
  assert.equal(Rng.restore(state).normal(), next);
});

test('Rng: every seed has its own stream (past 32 bits and negative ones too); seeds below 2^32 are as they were', () => {
  const firsts = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 4 }, () => rng.nextUint32()).join(',');
  };
  const seeds = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 33, -1, -(2 ** 32), Number.MAX_SAFE_INTEGER];
  assert.equal(new Set(seeds.map(firsts)).size, seeds.length);
  // splitmix32 seeding then xoshiro128**, written out in Python (and as scratchnet 0.1 drew them:
  // the runs it saved are the same runs)
  assert.equal(firsts(0), '3809008728,1133695204,53579671,2891528803');
  assert.equal(firsts(42), '2837322924,544945897,479756282,3500138142');
});

test('Rng.normal has mean 0 and variance 1; permutation is a permutation', () => {
  const rng = new Rng(3);
  let sum = 0;
  let sum2 = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) {
    const v = rng.normal();
    sum += v;
    sum2 += v * v;
  }
  assert.ok(Math.abs(sum / n) < 0.01);
  assert.ok(Math.abs(sum2 / n - 1) < 0.01);
  const p = Array.from(rng.permutation(1000)).sort((x, y) => x - y);
  assert.deepEqual(
    p,
    Array.from({ length: 1000 }, (_, i) => i),
  );
});
