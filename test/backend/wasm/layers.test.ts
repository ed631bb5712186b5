import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadWasmBackend } from '../../../src/backend/node/wasm.js';
import { plain } from '../../../src/backend/plain.js';
import { setBackend } from '../../../src/backend/registry.js';
import { Convolution } from '../../../src/layers/convolution.js';
import { Pooling } from '../../../src/layers/pooling.js';
import { slidingWindow } from '../../../src/tensor/im2col.js';
import { Rng } from '../../../src/tensor/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { random } from '../../helpers/kernels.js';

// The kernels of the convolution and pooling layers, and training's finiteness check, on wasm:
// against the plain kernels and float64.
const wasm = loadWasmBackend();
setBackend('js');
after(() => {
  setBackend('js');
  wasm.detachHelpers();
});

test('max pooling on the wasm kernels gives the plain loop’s maxima and indices, for the book’s 2×2 windows and any other, ties, NaN and padding included', () => {
  const rng = new Rng(21);
  for (const [n, c, h, w, fh, fw, stride, pad] of [
    [3, 5, 24, 24, 2, 2, 2, 0], // SimpleConvNet's, four windows a step
    [2, 3, 14, 14, 2, 2, 2, 0], // 7 windows a row: four at a time and three alone
    [1, 2, 10, 22, 2, 2, 2, 0], // 11 windows a row
    [2, 2, 7, 6, 3, 2, 1, 1], // overlapping, padded
    [1, 1, 6, 6, 2, 2, 2, 1], // 2×2 at stride 2 but padded: the general loop
  ]) {
    const win = slidingWindow('test', [n, c, h, w], 'the window', fh, fw, stride, pad);
    const size = n * c * h * w;
    const x = wasm.float32(size) as Float32Array;
    x.set(random(size, rng, 0.3)); // zeros: ties within a window, and with the padding
    x[3] = Number.NaN;
    x[17] = Number.NEGATIVE_INFINITY;
    for (let i = 40; i < 44; i++) x[i] = 0.5; // a window of equal values
    const outs = n * c * win.oh * win.ow;
    const out = wasm.float32(outs) as Float32Array;
    const argmax = wasm.indexArray(outs);
    wasm.maxPool(x, win, out, argmax);
    const expected = new Float32Array(outs);
    const expectedArgmax = new Int32Array(outs);
    plain.maxPool(x, win, expected, expectedArgmax);
    const what = `${n}×${c}×${h}×${w}, ${fh}×${fw} stride ${stride} pad ${pad}`;
    assert.deepEqual(out, expected, what);
    assert.deepEqual(argmax, expectedArgmax, what);
    const dout = wasm.float32(outs) as Float32Array;
    dout.set(random(outs, rng));
    const dx = wasm.float32(size) as Float32Array;
    dx.fill(7);
    wasm.maxPoolBackward(dout, argmax, dx);
    const expectedDx = new Float32Array(size);
    plain.maxPoolBackward(dout, expectedArgmax, expectedDx);
    assert.deepEqual(dx, expectedDx, `${what}, backward`);
  }
});

test('im2col and col2im on the wasm kernels give the plain loops’ floats, inside the image and at its padded edges, with and without the column of ones', () => {
  const rng = new Rng(23);
  for (const [n, c, h, w, fh, fw, stride, pad] of [
    [2, 3, 28, 28, 3, 3, 1, 1], // DeepConvNet's
    [2, 1, 28, 28, 5, 5, 1, 0], // SimpleConvNet's: two vectors a run
    [1, 2, 7, 10, 3, 2, 2, 1], // stride 2, a non-square kernel
    [1, 1, 4, 4, 4, 4, 1, 0], // one window, the image itself
    [3, 2, 6, 6, 1, 1, 1, 0], // 1×1
  ]) {
    const win = slidingWindow('test', [n, c, h, w], 'the window', fh, fw, stride, pad);
    for (const ones of [true, false]) {
      const size = n * c * h * w;
      const cols = n * win.oh * win.ow * (c * fh * fw + (ones ? 1 : 0));
      const x = wasm.float32(size) as Float32Array;
      x.set(random(size, rng));
      const col = wasm.float32(cols) as Float32Array;
      col.fill(7);
      wasm.im2col(x, win, col, ones);
      const expected = new Float32Array(cols).fill(7);
      plain.im2col(x, win, expected, ones);
      const what = `${n}×${c}×${h}×${w}, ${fh}×${fw} stride ${stride} pad ${pad}, ones ${ones}`;
      assert.deepEqual(col, expected, what);
      col.set(random(cols, rng));
      const dx = wasm.float32(size) as Float32Array;
      dx.fill(7);
      wasm.col2im(col, win, dx, ones);
      const expectedDx = new Float32Array(size);
      plain.col2im(col, win, expectedDx, ones);
      assert.deepEqual(dx, expectedDx, `${what}, col2im`);
    }
  }
});

test('Convolution and Pooling in float32 on the wasm kernels agree with float64, and arrays outside the memory take the plain loops', () => {
  const rng = new Rng(22);
  const W = random(6 * 3 * 3 * 3, rng);
  const b = random(6, rng);
  const x = random(4 * 3 * 10 * 10, rng, 0.2);
  const dout = random(4 * 6 * 4 * 4, rng);
  const run = (dtype: 'float32' | 'float64') => {
    const conv = new Convolution(
      new Tensor(dtype === 'float32' ? Float32Array.from(W) : Float64Array.from(W), [6, 3, 3, 3]),
      new Tensor(dtype === 'float32' ? Float32Array.from(b) : Float64Array.from(b), [6]),
      1,
      1,
    );
    const pool = new Pooling(2, 2, 2);
    const input = Tensor.zeros([4, 3, 10, 10], dtype);
    input.data.set(x);
    const y = pool.forward(conv.forward(input));
    const g = Tensor.zeros([4, 6, 5, 5], dtype);
    g.data.set(dout.subarray(0, g.size));
    const dx = conv.backward(pool.backward(g));
    return { y: y.data, dx: dx.data, dW: conv.grads.W.data, db: conv.grads.b.data };
  };
  setBackend('wasm');
  const fast = run('float32');
  setBackend('js');
  const exact = run('float64');
  for (const key of ['y', 'dx', 'dW', 'db'] as const) {
    const a = fast[key];
    const e = exact[key];
    for (let i = 0; i < e.length; i++) {
      assert.ok(Math.abs(a[i] - e[i]) <= 1e-5 * (1 + Math.abs(e[i])), `${key}[${i}]: ${a[i]} against ${e[i]}`);
    }
  }
  // an ordinary array (not in the memory) goes to the plain loop
  const win = slidingWindow('test', [1, 1, 4, 4], 'the window', 2, 2, 2, 0);
  const out = new Float32Array(4);
  const argmax = new Int32Array(4);
  wasm.maxPool(
    Float32Array.from({ length: 16 }, (_, i) => i),
    win,
    out,
    argmax,
  );
  assert.deepEqual(Array.from(out), [5, 7, 13, 15]);
  assert.deepEqual(Array.from(argmax), [5, 7, 13, 15]);
});

test('allFinite on the wasm kernels finds a NaN or an infinity at any place of a float32 tensor in the memory, and passes the largest finite floats', () => {
  for (const n of [1, 3, 4, 7, 16, 39760]) {
    const x = wasm.float32(n) as Float32Array;
    x.fill(3.4028234663852886e38);
    x[0] = -3.4028234663852886e38;
    assert.equal(wasm.allFinite(x), true, `${n} entries`);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      for (const at of new Set([0, n >> 1, n - 1])) {
        const keep = x[at];
        x[at] = bad;
        assert.equal(wasm.allFinite(x), false, `${bad} at ${at} of ${n}`);
        assert.equal(plain.allFinite(x), false);
        x[at] = keep;
      }
  }
  assert.equal(wasm.allFinite(Float32Array.of(1, Number.NaN)), false, 'an ordinary array: the plain loop');
});
