import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadWasmBackend } from '../../src/backend/node/wasm.js';
import { plain } from '../../src/backend/plain.js';
import { getBackend, kernelsFor, setBackend } from '../../src/backend/registry.js';
import { matmul } from '../../src/tensor/ops.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const wasm = loadWasmBackend();
setBackend('js');
after(() => setBackend('js'));

test('setBackend routes float32 matmul to wasm and keeps float64 on the plain kernel, bit for bit', () => {
  const rng = new Rng(7);
  const a64 = Tensor.zeros([9, 13]);
  const b64 = Tensor.zeros([13, 6]);
  for (const t of [a64, b64]) for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  const js64 = matmul(a64, b64);
  const js32 = matmul(new Tensor(Float32Array.from(a64.data), a64.shape), new Tensor(Float32Array.from(b64.data), b64.shape));
  setBackend('wasm');
  assert.equal(getBackend(), 'wasm');
  const wasm64 = matmul(a64, b64);
  const wasm32 = matmul(new Tensor(Float32Array.from(a64.data), a64.shape), new Tensor(Float32Array.from(b64.data), b64.shape));
  setBackend('js');
  assert.deepEqual(wasm64.data, js64.data);
  assert.equal(wasm32.dtype, 'float32');
  for (let i = 0; i < js32.size; i++) assert.ok(Math.abs(wasm32.data[i] - js32.data[i]) < 1e-5);
  assert.throws(() => setBackend('nope' as 'js'), /not loaded/);
});

test('kernelsFor gives the plain kernels for float64 always, the active backend’s for float32', () => {
  assert.equal(kernelsFor(new Float64Array(1)), plain);
  assert.equal(kernelsFor(new Float32Array(1)), plain);
  setBackend('wasm');
  assert.equal(kernelsFor(new Float64Array(1)), plain);
  assert.equal(kernelsFor(new Float32Array(1)), wasm);
  setBackend('js');
});
