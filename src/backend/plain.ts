import { col2im, im2col } from '../tensor/im2col.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { ByteRows, Gemm, Kernels } from './kernels.js';

/**
 * The plain JavaScript kernels: the reference every faster backend is tested against, and the
 * kernels of every float64 array. Each loop is the book's formula written out on flat arrays.
 *
 * @example
 * plain.gemm({ a: x.data, b: W.data, c: out.data, m: 1, n: 2, k: 2 }); // out = x·W
 */
export const plain: Kernels = {
  gemm(product: Gemm): void {
    const { a, b, c, m, n, k, transA = false, transB = false, bias } = product;
    gemm(transA, transB, m, n, k, a, b, c);
    if (bias) addBias(m, n, c, bias);
  },

  // out = 1 / (1 + e^(−x))
  sigmoid(x, out) {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
  },

  // dx = dout ⊙ y(1 − y)
  sigmoidBackward(y, dout, dx) {
    for (let i = 0; i < dx.length; i++) dx[i] = dout[i] * y[i] * (1 - y[i]);
  },

  // out = max(0, x): x unless x ≤ 0, as the book's mask (NaN passes, −0 becomes +0)
  reluForward(x, out) {
    // biome-ignore lint/complexity/useMathMinMax: the mask x ≤ 0 of the book, as the wasm kernel computes it
    for (let i = 0; i < out.length; i++) out[i] = x[i] <= 0 ? 0 : x[i];
  },

  // dx = dout where y > 0
  reluBackward(y, dout, dx) {
    for (let i = 0; i < dx.length; i++) dx[i] = y[i] <= 0 ? 0 : dout[i];
  },

  // out = tanh(x)
  tanhForward(x, out) {
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]);
  },

  // dx = dout ⊙ (1 − y²)
  tanhBackward(y, dout, dx) {
    for (let i = 0; i < dx.length; i++) dx[i] = dout[i] * (1 - y[i] * y[i]);
  },

  // out = byte / 255, looked up rather than divided (the same values)
  normalizeBytes({ bytes, rows, width }: ByteRows, out: FloatArray): void {
    for (let i = 0; i < rows.length; i++) {
      const src = rows[i] * width;
      const dst = i * width;
      for (let j = 0; j < width; j++) out[dst + j] = UNIT[bytes[src + j]];
    }
  },

  // out = (bytes / 255)·W + bias: the floats of the rows, then the product
  gemmNormalizedBytes(source: ByteRows, W: FloatArray, bias: FloatArray | undefined, out: FloatArray): void {
    const { rows, width } = source;
    const x = scratch(W, rows.length * width);
    plain.normalizeBytes(source, x);
    plain.gemm({ a: x, b: W, c: out, m: rows.length, n: W.length / width, k: width, bias });
  },

  // p ← p − lr·g
  sgd(p, g, lr) {
    for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
  },

  // m += (1 − β1)(g − m); v += (1 − β2)(g² − v); p −= lr_t·m / (√v + 1e-7)
  adam(p, g, m, v, lrT, beta1, beta2) {
    for (let i = 0; i < p.length; i++) {
      m[i] += (1 - beta1) * (g[i] - m[i]);
      v[i] += (1 - beta2) * (g[i] * g[i] - v[i]);
      p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + 1e-7);
    }
  },

  stateArray: (size) => new Float64Array(size),

  // out = the max of each window, argmax where it was (the first in row-major order), −1 for padding
  maxPool(x, { n, c, h, w, fh, fw, stride, pad, oh, ow }, out, argmax) {
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let ky = 0; ky < fh; ky++) {
            const iy = i * stride + ky - pad;
            for (let kx = 0; kx < fw; kx++) {
              const ix = j * stride + kx - pad;
              const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              const v = inside ? x[base + iy * w + ix] : 0;
              if (v > best) {
                best = v;
                at = inside ? base + iy * w + ix : -1;
              }
            }
          }
          out[o] = best;
          argmax[o] = at;
        }
      }
    }
  },

  // dx = dout routed to the position of each window's maximum (overlapping windows sum)
  maxPoolBackward(dout, argmax, dx) {
    dx.fill(0);
    for (let o = 0; o < dout.length; o++) if (argmax[o] >= 0) dx[argmax[o]] += dout[o];
  },

  indexArray: (size) => new Int32Array(size),

  // x − x is 0 for a finite x and NaN otherwise, and NaN stays NaN through a sum (four sums, so
  // that the adds do not wait on each other)
  allFinite(data) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const n = data.length;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += data[i] - data[i];
      s1 += data[i + 1] - data[i + 1];
      s2 += data[i + 2] - data[i + 2];
      s3 += data[i + 3] - data[i + 3];
    }
    for (; i < n; i++) s0 += data[i] - data[i];
    return s0 + s1 + s2 + s3 === 0;
  },

  im2col,
  col2im,
};

// The kernels' scratch for the floats of rows of bytes, one array of each dtype kept from call to
// call and grown when too small: the training loop allocates nothing after its first steps.
const scratches: [FloatArray | undefined, FloatArray | undefined] = [undefined, undefined];
function scratch(like: FloatArray, size: number): FloatArray {
  const slot = like instanceof Float32Array ? 1 : 0;
  let s = scratches[slot];
  if (!s || s.length < size) {
    s = like instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
    scratches[slot] = s;
  }
  return s.length === size ? s : s.subarray(0, size);
}

// byte / 255 for every byte
const UNIT = Float64Array.from({ length: 256 }, (_, v) => v / 255);

// c[i, :] += bias
function addBias(m: number, n: number, c: FloatArray, bias: FloatArray): void {
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) c[r + j] += bias[j];
  }
}

/**
 * C = op(A)·op(B) on flat row-major arrays, overwriting C (m×n). op(A) is m×k, op(B) is k×n;
 * with `transA` A is stored k×m and read as its transpose, likewise `transB` — no transpose
 * is ever materialised.
 *
 * Each case walks memory in the order it is laid out (the inner loop runs along a contiguous
 * row) and works four terms of the sum at a time, so that each element of C is loaded and stored
 * a quarter as often. Groups of four zero entries of A (MNIST's blank margins) are skipped.
 * Every other product of this file goes through it.
 */
function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  c.fill(0, 0, m * n);
  if (transB) {
    if (transA) gemmTT(m, n, k, a, b, c);
    else gemmNT(m, n, k, a, b, c);
    return;
  }
  // c[i,:] += Σ_p op(a)[i,p] · b[p,:], with op(a)[i,p] at a[i·k + p] or, transposed, a[p·m + i]
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * rowStride;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = a[ai + p * colStride];
      const a1 = a[ai + (p + 1) * colStride];
      const a2 = a[ai + (p + 2) * colStride];
      const a3 = a[ai + (p + 3) * colStride];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < k; p++) {
      const ap = a[ai + p * colStride];
      if (ap === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
    }
  }
}

// c[i,j] = a[i,:] · b[j,:], four columns j at a time sharing each load of a[i,p]
function gemmNT(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    const ci = i * n;
    let j = 0;
    for (; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const ap = a[ai + p];
        s0 += ap * b[b0 + p];
        s1 += ap * b[b1 + p];
        s2 += ap * b[b2 + p];
        s3 += ap * b[b3 + p];
      }
      c[ci + j] = s0;
      c[ci + j + 1] = s1;
      c[ci + j + 2] = s2;
      c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
      c[ci + j] = s;
    }
  }
}

// c[i,j] = Σ_p a[p,i] · b[j,p]: rare, kept simple
function gemmTT(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
      c[i * n + j] = s;
    }
  }
}
