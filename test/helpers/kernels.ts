import assert from 'node:assert/strict';
import { plain } from '../../src/backend/plain.js';
import type { Rng } from '../../src/tensor/rng.js';

/** float32 values in [−1, 1), a fraction `zeros` of them exactly 0 (as MNIST's blank pixels). */
export function random(size: number, rng: Rng, zeros = 0): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform() < zeros ? 0 : 2 * rng.uniform() - 1;
  return out;
}

/** Random float32 operands for op(A) m×k · op(B) k×n (stored as the flags say) and a bias of n. */
export function operands(m: number, n: number, k: number, rng: Rng, zeros = 0) {
  return { a: random(m * k, rng, zeros), b: random(k * n, rng), bias: random(n, rng) };
}

/** The reference: the plain kernel on the same float32 inputs, in float64. */
export function reference(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  bias?: Float32Array,
): Float64Array {
  const c = new Float64Array(m * n);
  plain.gemm({ a: Float64Array.from(a), b: Float64Array.from(b), c, m, n, k, transA, transB, bias: bias && Float64Array.from(bias) });
  return c;
}

/**
 * fl32(a·b + c) rounded once, for float32 a, b, c: a fused multiply-add. a·b is exact in float64;
 * p + c rounded to float64 and then to float32 can round twice only when the float64 sum falls on
 * the midpoint of two float32 neighbours, where the sum's exact error (TwoSum) picks the side.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s) return r;
  const d = s - r; // exact: r and s are within a factor of 2
  const other = r + 2 * d;
  if (Math.fround(other) !== other || other - s !== d) return r; // not a midpoint: one rounding
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r; // a true tie, to even as fround does
  return err > 0 === other > r ? other : r;
}

/**
 * The product as the wasm kernels round it, step by step: c = bias (or 0), then for p = 0 … k−1
 * c = c + a·b as one fused multiply-add (`fused`) or a rounded multiply and a rounded add.
 */
export function stepByStep(
  fused: boolean,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  bias?: Float32Array,
): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i] : a[i * k + p];
        const y = transB ? b[j * k + p] : b[p * n + j];
        s = fused ? fmaf(x, y, s) : Math.fround(s + Math.fround(x * y));
      }
      c[i * n + j] = s;
    }
  return c;
}

/** A float32 sum of k products of size ≤ 1 is off by at most about k·2⁻²⁴ (the bias adds one term). */
export function assertNear(actual: Float32Array, expected: Float64Array, k: number, what: string): void {
  const tolerance = (k + 2) * 2 ** -23;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(diff <= tolerance, `${what}: c[${i}] = ${actual[i]}, expected ${expected[i]} (diff ${diff})`);
  }
}

/** The values with −0 read as +0: the sign of a zero sum depends on which zero terms are left out. */
export const sameUpToZeroSign = (x: Float32Array): number[] => Array.from(x, (v) => (v === 0 ? 0 : v));

/**
 * Counts the calls of one plain kernel while `run` runs: how often a faster backend handed an
 * operation to the plain loops.
 */
export function countPlainCalls(name: 'sgd' | 'adam', run: () => void): number {
  const kernel = plain[name];
  let calls = 0;
  plain[name] = ((...args: never[]) => {
    calls++;
    return (kernel as (...a: never[]) => void)(...args);
  }) as never;
  try {
    run();
  } finally {
    plain[name] = kernel as never;
  }
  return calls;
}
