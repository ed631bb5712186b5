import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadWasmBackend, useThreads } from '../../../src/backend/node/wasm.js';
import { setBackend } from '../../../src/backend/registry.js';
import { Rng } from '../../../src/tensor/rng.js';
import { assertNear, operands, reference } from '../../helpers/kernels.js';

// Helper threads (src/backend/wasm/threads.ts) started by Node's worker_threads.
const wasm = loadWasmBackend();
setBackend('js');
after(() => {
  setBackend('js');
  wasm.detachHelpers();
});

test('two threads give the same floats as one on large products, every transpose flag', async () => {
  const rng = new Rng(12);
  const cases = [
    [100, 50, 784, 0.8],
    [784, 50, 100, 0.8],
    [128, 512, 784, 0],
    [301, 77, 129, 0.3],
  ];
  const single: Float32Array[] = [];
  const inputs = cases.map(([m, n, k, zeros]) => operands(m, n, k, rng, zeros));
  const run = (into: Float32Array[]) => {
    cases.forEach(([m, n, k], i) => {
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        const c = new Float32Array(m * n);
        wasm.gemm({ a: inputs[i].a, b: inputs[i].b, c, m, n, k, transA: tA, transB: tB, bias: inputs[i].bias });
        into.push(c);
      }
    });
  };
  run(single);
  await useThreads(wasm, 2);
  assert.equal(wasm.threads, 2);
  const double: Float32Array[] = [];
  run(double);
  wasm.detachHelpers();
  assert.equal(wasm.threads, 1);
  assert.deepEqual(double, single);
  assertNear(single[0], reference(false, false, 100, 50, 784, inputs[0].a, inputs[0].b, inputs[0].bias), 784, 'first case');
});

test('a helper that fails to start stops the others and leaves products on one thread', async () => {
  const stopped: number[] = [];
  await assert.rejects(
    wasm.startHelpers(3, async (helper) => {
      if (helper.index === 1) throw new Error('helper 1 could not start');
      return () => stopped.push(helper.index);
    }),
    /helper 1 could not start/,
  );
  assert.deepEqual(stopped, [0]);
  assert.equal(wasm.threads, 1);
  const c = new Float32Array(100 * 50);
  const { a, b } = operands(100, 50, 784, new Rng(5), 0);
  wasm.gemm({ a, b, c, m: 100, n: 50, k: 784 });
  assertNear(c, reference(false, false, 100, 50, 784, a, b), 784, 'after the failed start');
  await assert.rejects(useThreads(wasm, 65), /threads is 65, expected a whole number from 1 to 64/);
});
