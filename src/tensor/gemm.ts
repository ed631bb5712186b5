import type { FloatArray } from './tensor.js';

/**
 * C = op(A)·op(B) on flat row-major arrays, overwriting C (m×n). op(A) is m×k, op(B) is k×n;
 * with `transA` A is stored k×m and read as its transpose, likewise `transB` — no transpose
 * is ever materialised.
 *
 * Each case walks memory in the order it is laid out (the inner loop runs along a contiguous
 * row) and works four terms of the sum at a time, so that each element of C is loaded and stored
 * a quarter as often. Groups of four zero entries of A (MNIST's blank margins) are skipped.
 * This plain kernel is the reference any faster kernel is tested against.
 */
export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
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
