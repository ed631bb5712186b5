import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { enableRelaxedSimd, loadWasmBackend, useThreads, wasmKernelsPath } from '../../../src/backend/node/wasm.js';
import { plain } from '../../../src/backend/plain.js';
import { setBackend } from '../../../src/backend/registry.js';
import { WasmKernels } from '../../../src/backend/wasm/kernels.js';
import { Adam } from '../../../src/optim/adam.js';
import { SGD } from '../../../src/optim/sgd.js';
import { matmul, normalizeBytes, sigmoidBackward } from '../../../src/tensor/ops.js';
import { Rng } from '../../../src/tensor/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { assertNear, countPlainCalls, fmaf, operands, random, reference, sameUpToZeroSign, stepByStep } from '../../helpers/kernels.js';

// The WebAssembly SIMD kernels (src/backend/wasm/kernels.ts) against the plain ones, their oracle.
const wasm = loadWasmBackend();
/** Whether loadWasmBackend took the relaxed-SIMD module (so should the unshared one compared with it). */
const fma = enableRelaxedSimd();
setBackend('js');
after(() => {
  setBackend('js');
  wasm.detachHelpers();
});

const sizes = [1, 3, 4, 5, 8, 17, 33, 100];

test('the wasm GEMM agrees with the plain kernel on odd sizes, every transpose flag, with and without bias', () => {
  const rng = new Rng(5);
  for (const m of sizes)
    for (const n of [1, 3, 8, 9, 17, 50])
      for (const k of [1, 3, 17, 33]) {
        const a = random(m * k, rng, 0.3);
        const b = random(k * n, rng);
        const bias = random(n, rng);
        for (const tA of [false, true])
          for (const tB of [false, true]) {
            const c = new Float32Array(m * n).fill(7);
            wasm.gemm({ a, b, c, m, n, k, transA: tA, transB: tB, bias: m % 2 ? bias : undefined });
            assertNear(c, reference(tA, tB, m, n, k, a, b, m % 2 ? bias : undefined), k, `${m}×${n}×${k} tA=${tA} tB=${tB}`);
          }
      }
});

test('the wasm GEMM agrees on the training shapes (784, 100, 50, 10) and random ones, sparse and dense', () => {
  const rng = new Rng(6);
  const shapes = [
    [100, 50, 784],
    [784, 50, 100],
    [100, 784, 50],
    [1, 50, 784],
    [100, 10, 50],
  ];
  for (let t = 0; t < 12; t++)
    shapes.push([1 + Math.floor(rng.uniform() * 130), 1 + Math.floor(rng.uniform() * 70), 1 + Math.floor(rng.uniform() * 300)]);
  for (const [m, n, k] of shapes)
    for (const zeros of [0, 0.8]) {
      const a = random(m * k, rng, zeros);
      const b = random(k * n, rng);
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const c = new Float32Array(m * n);
          wasm.gemm({ a, b, c, m, n, k, transA: tA, transB: tB });
          assertNear(c, reference(tA, tB, m, n, k, a, b), k, `${m}×${n}×${k} zeros ${zeros} tA=${tA} tB=${tB}`);
        }
    }
});

test('sparse rows (walked by their non-zeros) and transposed sparse A (its zero steps dropped) give the same floats as the dense register blocks', () => {
  const rng = new Rng(8);
  // up to the sign of a zero sum (a term of +0 or −0 left out)
  const same = sameUpToZeroSign;
  for (const [m, n, k] of [
    [100, 50, 784],
    [784, 50, 100],
    [1, 50, 784],
    [9, 3, 17],
    [7, 70, 33],
    [13, 129, 64],
    [5, 512, 100],
    [37, 29, 11],
  ]) {
    const a = random(m * k, rng, 0.85); // sparse enough for the sparse paths
    const aT = new Float32Array(m * k); // the same op(A) stored transposed, as x in dW = xᵀ·dz
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a[i * k + p];
    const b = random(k * n, rng);
    const bT = new Float32Array(k * n); // op(B) stored transposed: the dense register blocks, whatever A holds
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bT[j * k + p] = b[p * n + j];
    for (const bias of [random(n, rng), undefined]) {
      const rows = new Float32Array(m * n);
      const transposed = new Float32Array(m * n).fill(7);
      const dense = new Float32Array(m * n);
      wasm.gemm({ a, b, c: rows, m, n, k, bias });
      wasm.gemm({ a: aT, b, c: transposed, m, n, k, transA: true, bias });
      wasm.gemm({ a, b: bT, c: dense, m, n, k, transB: true, bias });
      assert.deepEqual(same(rows), same(dense), `rows ${m}×${n}×${k}`);
      assert.deepEqual(same(transposed), same(dense), `transposed ${m}×${n}×${k}`);
      // both leave out the zero terms: with a bias (no sum exactly zero) they agree bit for bit
      if (bias) assert.deepEqual(rows, transposed, `rows and transposed ${m}×${n}×${k}`);
    }
  }
});

test('fmaf, the oracle of a fused step, rounds once where rounding twice goes wrong, as the relaxed-SIMD kernels do', () => {
  const f = Math.fround;
  // (1 + 2⁻²³)(1 − 2⁻²³) − 1 = −2⁻⁴⁶ exactly; rounding the product first gives 0
  assert.equal(fmaf(f(1 + 2 ** -23), f(1 - 2 ** -23), -1), -(2 ** -46));
  assert.equal(f(f(f(1 + 2 ** -23) * f(1 - 2 ** -23)) - 1), 0);
  // c + a·b = 1 + 2⁻²³ + 2⁻²⁴ − 2⁻⁶⁴ (a·b = 2⁻²⁴ − 2⁻⁶⁴ exactly): just below the midpoint of
  // 1 + 2⁻²³ and 1 + 2⁻²², so once rounded it is 1 + 2⁻²³; float64 rounds it onto the midpoint,
  // and fround then ties it to the even 1 + 2⁻²²
  const a = 2 ** -12 * (1 + 2 ** -20);
  const b = 2 ** -12 * (1 - 2 ** -20);
  const c = 1 + 2 ** -23;
  assert.ok(f(a) === a && f(b) === b && f(c) === c && a * b === 2 ** -24 - 2 ** -64);
  assert.equal(f(c + a * b), 1 + 2 ** -22, 'rounded twice');
  assert.equal(fmaf(a, b, c), c, 'rounded once');
  const out = new Float32Array(1);
  wasm.gemm({ a: Float32Array.of(a), b: Float32Array.of(b), c: out, m: 1, n: 1, k: 1, bias: Float32Array.of(c) });
  assert.equal(out[0], wasm.fused ? c : f(c + f(a * b)), 'the kernel');
});

test('every path of the wasm GEMM rounds as a fused multiply-add per step on the relaxed-SIMD module, and as a multiply and an add on the other, bit for bit', () => {
  const modules = [
    { fma: true, kernels: wasm },
    { fma: false, kernels: new WasmKernels(new WebAssembly.Module(readFileSync(wasmKernelsPath(true, false))), { shared: true }) },
  ];
  assert.equal(wasm.fused, true, 'loadWasmBackend() takes the relaxed-SIMD module, fused on this machine (x86-64 with FMA)');
  assert.equal(modules[1].kernels.fused, false);
  const rng = new Rng(17);
  for (const { fma, kernels } of modules)
    for (const [m, n, k, zeros] of [
      [9, 50, 784, 0.8], // sparse rows
      [37, 10, 33, 0], // narrow
      [13, 29, 65, 0], // dense register blocks
      [21, 17, 40, 0.85], // transposed A with zero steps dropped
    ])
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
      ] as const) {
        const a = random(m * k, rng, zeros);
        const b = random(k * n, rng);
        const bias = random(n, rng);
        const c = new Float32Array(m * n);
        kernels.gemm({ a, b, c, m, n, k, transA: tA, transB: tB, bias });
        const expected = stepByStep(kernels.fused, tA, tB, m, n, k, a, b, bias);
        assert.deepEqual(sameUpToZeroSign(c), sameUpToZeroSign(expected), `fma module ${fma}: ${m}×${n}×${k} tA=${tA} tB=${tB}`);
      }
});

test("rows longer than 65,536 (past the sparse lists' 16-bit indices) still multiply right", () => {
  const rng = new Rng(10);
  const [m, n, k] = [3, 5, 65537 + 15];
  const a = random(m * k, rng, 0.9); // sparse: only the length keeps it off the sparse-row path
  a[k - 1] = 0.5; // the last entry of row 0, whose index does not fit in 16 bits
  const b = random(k * n, rng);
  const c = new Float32Array(m * n);
  wasm.gemm({ a, b, c, m, n, k });
  assertNear(c, reference(false, false, m, n, k, a, b), k, `${m}×${n}×${k}`);
  const bytes = new Uint8Array(m * k);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.uniform() < 0.9 ? 0 : 1 + Math.floor(rng.uniform() * 255);
  // rows of bytes this long take the floats and the dense product: the same floats as doing both
  const source = { bytes, rows: [0, 1, 2], width: k };
  const x = new Float32Array(m * k);
  wasm.normalizeBytes(source, x);
  const expected = new Float32Array(m * n);
  wasm.gemm({ a: x, b, c: expected, m, n, k });
  const fromBytes = new Float32Array(m * n);
  wasm.gemmNormalizedBytes(source, b, undefined, fromBytes);
  assert.deepEqual(fromBytes, expected);
  assertNear(fromBytes, reference(false, false, m, n, k, x, b), k, 'from the bytes');
});

test('narrow products (n ≤ 12, rows read in place) give the same floats as the dense register blocks', () => {
  const rng = new Rng(9);
  for (const [m, n, k] of [
    [1000, 10, 50], // W1's second layer on a batch of classify
    [7, 1, 5],
    [5, 4, 33],
    [9, 5, 17],
    [3, 8, 64],
    [11, 12, 100],
  ]) {
    const a = random(m * k, rng); // dense: the sparse-row path is not taken
    const aT = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a[i * k + p];
    const b = random(k * n, rng);
    const bias = m % 2 ? random(n, rng) : undefined;
    const narrow = new Float32Array(m * n);
    const dense = new Float32Array(m * n);
    wasm.gemm({ a, b, c: narrow, m, n, k, bias });
    wasm.gemm({ a: aT, b, c: dense, m, n, k, transA: true, bias });
    assert.deepEqual(narrow, dense, `${m}×${n}×${k}`);
    assertNear(narrow, reference(false, false, m, n, k, a, b, bias), k, `${m}×${n}×${k}`);
  }
});

test('the wasm sigmoid is within a few float32 units of 1 / (1 + e^(−x)) over the whole range', () => {
  const xs: number[] = [0, -0, 1e-8, -1e-8, 0.5, -0.5, 10, -10, 17, -17, 87, -87, 88.7, -88.7, 100, -100, 1e4, -1e4];
  const rng = new Rng(9);
  for (let i = 0; i < 10000; i++) xs.push((rng.uniform() - 0.5) * 60);
  const x = Float32Array.from(xs);
  const out = new Float32Array(x.length + 3).fill(7); // an odd tail, and entries past the output untouched
  wasm.sigmoid(x, out.subarray(0, x.length));
  for (let i = 0; i < x.length; i++) {
    const expected = 1 / (1 + Math.exp(-x[i]));
    // relative to the value for the tiny outputs of very negative x, absolute near 1
    const error = Math.abs(out[i] - expected) / Math.max(expected, 2 ** -20);
    assert.ok(error <= 4e-7 || (x[i] < -87 && out[i] < 1e-37), `σ(${x[i]}) = ${out[i]}, expected ${expected}`);
  }
  assert.deepEqual([...out.subarray(x.length)], [7, 7, 7]);
});

test('float32 tensors live in the shared memory, and products of them equal products of copies', () => {
  assert.ok(wasm.shared);
  setBackend('wasm');
  try {
    const rng = new Rng(10);
    const { a, b, bias } = operands(37, 29, 61, rng, 0.5);
    const A = Tensor.zeros([37, 61], 'float32');
    const B = Tensor.zeros([61, 29], 'float32');
    const bb = Tensor.zeros([29], 'float32');
    A.data.set(a);
    B.data.set(b);
    bb.data.set(bias);
    assert.ok(A.data.buffer instanceof SharedArrayBuffer, 'a float32 tensor is allocated in the memory');
    const resident = matmul(A, B, { bias: bb });
    const copied = new Float32Array(37 * 29);
    wasm.gemm({ a, b, c: copied, m: 37, n: 29, k: 61, bias });
    assert.deepEqual(resident.data, copied);
    assert.ok(!(copied.buffer instanceof SharedArrayBuffer));
  } finally {
    setBackend('js');
  }
});

test('the kernels over an unshared memory (browsers without cross-origin isolation) copy and agree', () => {
  const unshared = new WasmKernels(new WebAssembly.Module(readFileSync(wasmKernelsPath(false, fma))), { shared: false });
  assert.equal(unshared.float32(10), undefined);
  const rng = new Rng(11);
  for (const [m, n, k] of [
    [100, 50, 784],
    [3, 5, 7],
    [300, 300, 300],
  ])
    for (const [tA, tB] of [
      [false, false],
      [true, true],
    ]) {
      const { a, b, bias } = operands(m, n, k, rng, 0.7);
      const c = new Float32Array(m * n);
      unshared.gemm({ a, b, c, m, n, k, transA: tA, transB: tB, bias });
      assertNear(c, reference(tA, tB, m, n, k, a, b, bias), k, `${m}×${n}×${k}`);
      const x = random(1001, rng);
      const out = new Float32Array(1001);
      unshared.sigmoid(x, out);
      for (let i = 0; i < 1001; i++) assert.ok(Math.abs(out[i] - 1 / (1 + Math.exp(-x[i]))) < 1e-6);
    }
});

test('the wasm Relu, forward and backward, gives the plain loop’s floats, NaN, ±0 and ±∞ included', () => {
  const rng = new Rng(13);
  const xs = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3, -3];
  for (let i = 0; i < 1000; i++) xs.push(rng.normal());
  const x = Float32Array.from(xs);
  const dout = random(x.length, rng);
  dout[0] = Number.NaN;
  const expected = (src: Float32Array) => Float32Array.from(x, (v, i) => (v <= 0 ? 0 : src[i]));
  const out = new Float32Array(x.length);
  wasm.reluForward(x, out);
  assert.deepEqual(out, expected(x));
  assert.ok(Object.is(out[1], 0), 'relu(−0) is +0, as the book sets masked entries to 0');
  const dx = new Float32Array(x.length);
  wasm.reluBackward(out, dout, dx);
  assert.deepEqual(dx, expected(dout));
});

test('Adam on the wasm backend takes the plain loop’s steps bit for bit, and its state lives in the memory', () => {
  const rng = new Rng(14);
  const make = () => {
    const W = Tensor.zeros([37, 11], 'float32');
    for (let i = 0; i < W.size; i++) W.data[i] = rng.normal();
    return W;
  };
  const W = make();
  const b = make().reshape([407]);
  const grads = [0, 1, 2].map(() => ({ W: make(), b: make().reshape([407]) }));
  const run = (backend: 'js' | 'wasm') => {
    setBackend(backend);
    const params = { W: W.clone(), b: b.clone() };
    const adam = new Adam(0.01);
    for (const g of grads) adam.update(params, g);
    const state = adam.saveState();
    setBackend('js');
    return { params, state };
  };
  let loops!: ReturnType<typeof run>;
  let fast!: ReturnType<typeof run>;
  assert.equal(
    countPlainCalls('adam', () => {
      loops = run('js');
    }),
    6,
  );
  assert.equal(
    countPlainCalls('adam', () => {
      fast = run('wasm');
    }),
    0,
    'every update of both parameters ran on the kernel',
  );
  assert.deepEqual(fast.params.W.data, loops.params.W.data);
  assert.deepEqual(fast.params.b.data, loops.params.b.data);
  assert.deepEqual(fast.state, loops.state);
  assert.notDeepEqual(fast.params.W.data, W.data, 'the steps changed the weights');
});

test('normalizeBytes gathers rows of bytes as byte / 255 on the wasm backend, the plain loop’s floats for every byte', () => {
  const width = 37; // not a multiple of 16: the kernel's last bytes go one at a time
  const bytes = new Uint8Array(300 * width);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) % 256;
  for (let v = 0; v < 256; v++) bytes[v] = v; // every byte value in row 0 … 6
  const rows = [0, 1, 2, 3, 4, 5, 6, 299, 17, 17, 150];
  const source = { bytes, rows, width };
  const expected = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    for (let j = 0; j < width; j++) expected[i * width + j] = bytes[row * width + j] / 255;
  });
  const unshared = new WasmKernels(new WebAssembly.Module(readFileSync(wasmKernelsPath(false, fma))), { shared: false });
  const resident = wasm.float32(rows.length * width);
  assert.ok(resident);
  for (const [label, out] of [
    ['resident', resident],
    ['ordinary array', new Float32Array(rows.length * width)],
  ] as const) {
    setBackend('wasm');
    normalizeBytes(source, out);
    setBackend('js');
    assert.deepEqual(out, expected, label);
  }
  const viaCopy = new Float32Array(rows.length * width);
  unshared.normalizeBytes(source, viaCopy);
  assert.deepEqual(viaCopy, expected, 'unshared memory');
  const loops = new Float32Array(rows.length * width);
  normalizeBytes(source, loops);
  assert.deepEqual(loops, expected, 'plain loop');
  assert.throws(
    () => normalizeBytes({ bytes, rows: [300], width }, loops),
    /normalizeBytes: row 300 at 0, expected a whole number from 0 to 299/,
  );
  assert.throws(() => normalizeBytes(source, new Float32Array(5)), /expected at least 11×37/);
});

test('gemmNormalizedBytes multiplies rows of bytes as normalizeBytes then the sparse product would, bit for bit, on 1 and 2 threads', async () => {
  const rng = new Rng(14);
  const unshared = new WasmKernels(new WebAssembly.Module(readFileSync(wasmKernelsPath(false, fma))), { shared: false });
  for (const [width, n, count, blank] of [
    [784, 50, 300, 0.8], // MNIST-like: mostly black, large enough to be split across threads
    [37, 13, 9, 0.5], // a width that is not a multiple of 16
    [64, 30, 8, 0], // no zero at all: every row dense
  ]) {
    const bytes = new Uint8Array((count + 5) * width);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.uniform() < blank ? 0 : Math.floor(rng.uniform() * 256);
    const rows = Array.from({ length: count }, (_, i) => (i * 7) % (count + 5));
    const source = { bytes, rows, width };
    const W = random(width * n, rng);
    const b = random(n, rng);
    // the reference: the floats made by normalizeBytes, then the float product (sparse rows where they are sparse)
    const x = new Float32Array(count * width);
    wasm.normalizeBytes(source, x);
    const expected = new Float32Array(count * n);
    wasm.gemm({ a: x, b: W, c: expected, m: count, n, k: width, bias: b });
    const resident = wasm.float32(count * n);
    assert.ok(resident);
    wasm.gemmNormalizedBytes(source, W, b, resident);
    assert.deepEqual(resident, expected, `${width}×${n}, resident`);
    const ordinary = new Float32Array(count * n);
    wasm.gemmNormalizedBytes(source, W, b, ordinary);
    assert.deepEqual(ordinary, expected, `${width}×${n}, ordinary array`);
    await useThreads(wasm, 2);
    const two = new Float32Array(count * n);
    wasm.gemmNormalizedBytes(source, W, b, two);
    wasm.detachHelpers();
    assert.deepEqual(two, expected, `${width}×${n}, 2 threads`);
    const viaCopy = new Float32Array(count * n);
    unshared.gemmNormalizedBytes(source, W, b, viaCopy);
    assert.deepEqual(viaCopy, expected, `${width}×${n}, unshared memory`);
    assertNear(expected, reference(false, false, count, n, width, x, W, b), width, `${width}×${n} against the plain kernel`);
  }
});

test('SGD on the wasm backend takes the plain loop’s steps bit for bit', () => {
  const rng = new Rng(15);
  const make = (size: number) => {
    const t = Tensor.zeros([size], 'float32');
    for (let i = 0; i < size; i++) t.data[i] = rng.normal() * 10 ** Math.floor(rng.uniform() * 6 - 3);
    return t;
  };
  const W = make(407);
  const b = make(7); // not a multiple of 4: the kernel's last entries go one at a time
  const grads = [0, 1, 2].map(() => ({ W: make(407), b: make(7) }));
  const run = (backend: 'js' | 'wasm') => {
    setBackend(backend);
    const params = { W: W.clone(), b: b.clone() };
    const sgd = new SGD(0.1234567);
    for (const g of grads) sgd.update(params, g);
    setBackend('js');
    return params;
  };
  let loops!: ReturnType<typeof run>;
  let fast!: ReturnType<typeof run>;
  assert.equal(
    countPlainCalls('sgd', () => {
      loops = run('js');
    }),
    6,
  );
  assert.equal(
    countPlainCalls('sgd', () => {
      fast = run('wasm');
    }),
    0,
    'every update of both parameters ran on the kernel',
  );
  assert.deepEqual(fast.W.data, loops.W.data);
  assert.deepEqual(fast.b.data, loops.b.data);
  assert.notDeepEqual(fast.W.data, W.data, 'the steps changed the weights');
});

test('the sigmoid’s backward on the wasm backend gives the plain loop’s floats, resident or not', () => {
  const rng = new Rng(16);
  for (const size of [1, 7, 5000, 200003]) {
    const y = Tensor.zeros([size], 'float32');
    const dout = Tensor.zeros([size], 'float32');
    for (let i = 0; i < size; i++) {
      y.data[i] = rng.uniform();
      dout.data[i] = rng.normal();
    }
    const loops = new Float32Array(size);
    plain.sigmoidBackward(y.data, dout.data, loops);
    setBackend('wasm');
    const resident = sigmoidBackward(y, dout);
    const ordinary = new Float32Array(size);
    wasm.sigmoidBackward(Float32Array.from(y.data), Float32Array.from(dout.data), ordinary);
    setBackend('js');
    assert.ok(resident.data.buffer instanceof SharedArrayBuffer, 'a result in the kernels’ memory');
    assert.deepEqual(resident.data, loops, `${size}, resident`);
    assert.deepEqual(ordinary, loops, `${size}, copied`);
  }
});
