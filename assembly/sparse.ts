// The sparse-row path: each row of A lists its non-zero entries and walks them over the rows of B
// where B lies, no packing. gemm takes it for mostly-zero float rows, gemmNormalizedBytes for rows
// of bytes.

import { MR, loadPartial, madd, storeRow } from './common';
import { SELECT, UNITS } from './tables';

// The bytes one row's list of non-zero entries takes: a 16-bit index each, and a vector of slack.
@inline
export function listBytes(k: i32): usize {
  return ((<usize>k << 1) + 31) & ~15;
}

// The indices of a row's first eight entries, 16 bits each; adding SIXTEEN moves on a group.
const FIRST_EIGHT = i16x8(0, 1, 2, 3, 4, 5, 6, 7);
const SIXTEEN = i16x8(16, 16, 16, 16, 16, 16, 16, 16);

// Appends to a row's list the indices p … p + 15 whose bits are set in `bits`, in order, by one
// shuffle from SELECT a half (`at`: p … p + 7, `select` = SELECT, read once by the caller: a
// global is loaded again at every use); returns the new count. Writes up to 16 bytes past it.
@inline
function append16(bits: i32, at: v128, list: usize, count: i32, select: usize): i32 {
  const low = bits & 0xff;
  v128.store(list + (<usize>count << 1), i8x16.swizzle(at, v128.load(select + (<usize>low << 4))));
  count += popcnt(low);
  const high = bits >> 8;
  v128.store(list + (<usize>count << 1), i8x16.swizzle(i16x8.add(at, i16x8.splat(8)), v128.load(select + (<usize>high << 4))));
  return count + popcnt(high);
}

// Lists the non-zero entries of rows i … i + rows − 1 of a row-major m×k A (k ≤ 65,536): row r's
// indices, 16 bits each, at lists + r·listBytes(k), its count at counts + 4r. The sparse-row path then
// reads only the rows of B its row of A needs. Sixteen entries at a time, listed by two shuffles with
// no branch, not even for a group that is all zero (whether MNIST's margins have begun or ended is
// too hard to predict). Returns the total, or −1 as soon as it passes `limit` (dense enough for the
// register blocks).
export function listRows(k: i32, a: usize, i: i32, rows: i32, lists: usize, counts: usize, limit: i32): i32 {
  const zero = f32x4.splat(0);
  const select = SELECT;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = a + (<usize>((i + r) * k) << 2);
    const list = lists + <usize>r * listBytes(k);
    let count = 0;
    let p = 0;
    let at = FIRST_EIGHT;
    for (; p + 16 <= k; p += 16) {
      const x = row + (<usize>p << 2);
      const bits =
        i32x4.bitmask(f32x4.ne(v128.load(x), zero)) |
        (i32x4.bitmask(f32x4.ne(v128.load(x, 16), zero)) << 4) |
        (i32x4.bitmask(f32x4.ne(v128.load(x, 32), zero)) << 8) |
        (i32x4.bitmask(f32x4.ne(v128.load(x, 48), zero)) << 12);
      count = append16(bits, at, list, count, select);
      at = i16x8.add(at, SIXTEEN);
      if (total + count > limit) return -1;
    }
    for (; p < k; p++) {
      store<u16>(list + (<usize>count << 1), <u16>p);
      count += <i32>(load<f32>(row + (<usize>p << 2)) != 0);
    }
    total += count;
    if (total > limit) return -1;
    store<i32>(counts + (<usize>r << 2), count);
  }
  return total;
}

// listRows for a row-major m×k A of bytes (MNIST's pixels as they are stored), every row however dense.
function listByteRows(k: i32, a: usize, i: i32, rows: i32, lists: usize, counts: usize): void {
  const zero = i8x16.splat(0);
  const select = SELECT;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>((i + r) * k);
    const list = lists + <usize>r * listBytes(k);
    let count = 0;
    let p = 0;
    let at = FIRST_EIGHT;
    for (; p + 16 <= k; p += 16) {
      count = append16(i8x16.bitmask(i8x16.eq(v128.load(row + <usize>p), zero)) ^ 0xffff, at, list, count, select);
      at = i16x8.add(at, SIXTEEN);
    }
    for (; p < k; p++) {
      store<u16>(list + (<usize>count << 1), <u16>p);
      count += <i32>(load<u8>(row + <usize>p) != 0);
    }
    store<i32>(counts + (<usize>r << 2), count);
  }
}

// The most vectors of C a sparse pass keeps in registers: with eight, V8's register allocator
// spills an accumulator in every step (seen in --print-wasm-code), with seven it does not.
const SPARSE_VECS = 7;

// c[0 … n − 1] (+ bias) = Σ over the listed p of A[p] · B[p, …], A's row at `row` (floats, or bytes
// standing for byte / 255 when T is u8), B's rows ldb floats apart: the n columns, 4 to a vector, in
// as few passes over the list as keep at most SPARSE_VECS vectors each, the passes as even as can be
// (50 columns: 7 + 6 vectors). Lanes past n are computed from whatever follows B's last row and
// never stored, so B needs 12 bytes of slack after its end.
export function sparseRow<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, n: i32): void {
  const vecs = (n + 3) >> 2;
  const passes = (vecs + SPARSE_VECS - 1) / SPARSE_VECS;
  let j = 0;
  for (let q = 0; q < passes; q++) {
    // this pass's share of the vectors still to do
    const v = (vecs - (j >> 2) + (passes - q) - 1) / (passes - q);
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    const biasj = bias != 0 ? bias + (<usize>j << 2) : 0;
    const w = min(n - j, v << 2);
    switch (v) {
      case 1: sparse1<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 2: sparse2<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 3: sparse3<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 4: sparse4<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 5: sparse5<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 6: sparse6<T>(list, count, row, bj, ldb, cj, biasj, w); break;
      case 7: sparse7<T>(list, count, row, bj, ldb, cj, biasj, w); break;
    }
    j += v << 2;
  }
}

@inline
export function biasOr0(bias: usize, at: i32, width: i32): v128 {
  return bias != 0 && at < width ? loadPartial(bias + (<usize>at << 2), width - at) : f32x4.splat(0);
}

// Stores vector v as c[at … at + 3], cut at width.
@inline
export function storeCut(c: usize, at: i32, v: v128, width: i32): void {
  if (at >= width) return;
  if (width - at >= 4) v128.store(c + (<usize>at << 2), v);
  else storeRow(c + (<usize>at << 2), v, v, width - at);
}

// Entry p of A's row, on every lane (`units` = UNITS, read once by the caller).
@inline
function entry<T>(row: usize, p: usize, units: usize): v128 {
  if (isInteger<T>()) return v128.load32_splat(units + (<usize>load<u8>(row + p) << 2));
  return v128.load32_splat(row + (p << 2));
}

// One pass of the sparse-row product over V vectors of c, V = 1 … SPARSE_VECS: c[0 … 4V − 1] (+ bias)
// = Σ over the `count` listed p of A[p] · B[p, 0 … 4V − 1], one madd a step,
// in the list's order. V is a constant wherever this is inlined (sparse1 … sparse7), so the vectors
// past V and their tests vanish.
@inline
function sparsePass<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32, V: i32): void {
  const zero = f32x4.splat(0);
  let c0 = biasOr0(bias, 0, width);
  let c1 = V > 1 ? biasOr0(bias, 4, width) : zero;
  let c2 = V > 2 ? biasOr0(bias, 8, width) : zero;
  let c3 = V > 3 ? biasOr0(bias, 12, width) : zero;
  let c4 = V > 4 ? biasOr0(bias, 16, width) : zero;
  let c5 = V > 5 ? biasOr0(bias, 20, width) : zero;
  let c6 = V > 6 ? biasOr0(bias, 24, width) : zero;
  const rowStep = <usize>ldb << 2;
  const units = UNITS;
  const end = list + (<usize>count << 1);
  let e = list;
  for (; e < end; e += 2) {
    const p0 = <usize>load<u16>(e);
    const x = entry<T>(row, p0, units);
    const r = b + p0 * rowStep;
    c0 = madd(x, v128.load(r), c0);
    if (V > 1) c1 = madd(x, v128.load(r, 16), c1);
    if (V > 2) c2 = madd(x, v128.load(r, 32), c2);
    if (V > 3) c3 = madd(x, v128.load(r, 48), c3);
    if (V > 4) c4 = madd(x, v128.load(r, 64), c4);
    if (V > 5) c5 = madd(x, v128.load(r, 80), c5);
    if (V > 6) c6 = madd(x, v128.load(r, 96), c6);
  }
  storeCut(c, 0, c0, width);
  if (V > 1) storeCut(c, 4, c1, width);
  if (V > 2) storeCut(c, 8, c2, width);
  if (V > 3) storeCut(c, 12, c3, width);
  if (V > 4) storeCut(c, 16, c4, width);
  if (V > 5) storeCut(c, 20, c5, width);
  if (V > 6) storeCut(c, 24, c6, width);
}

function sparse1<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 1);
}

function sparse2<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 2);
}

function sparse3<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 3);
}

function sparse4<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 4);
}

function sparse5<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 5);
}

function sparse6<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 6);
}

function sparse7<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, width: i32): void {
  sparsePass<T>(list, count, row, b, ldb, c, bias, width, 7);
}

/**
 * C = (A / 255)·B (+ bias on every row) for rows rowStart … rowEnd − 1 of C, with A a row-major
 * array of bytes, k a row (images as stored) and B k×n, its rows ldb ≥ n floats apart (padRows): the
 * sparse-row path straight from the bytes, whose floats are never written. The same floats as
 * converting A with normalizeBytes and calling gemm. `scratch` holds scratchBytes(k) bytes of this
 * thread's own.
 */
export function gemmNormalizedBytes(n: i32, k: i32, a: usize, b: usize, ldb: i32, c: usize, bias: usize, rowStart: i32, rowEnd: i32, scratch: usize): void {
  const lists = scratch;
  const counts = lists + <usize>MR * listBytes(k);
  const ldc: usize = <usize>n << 2;
  for (let i = rowStart; i < rowEnd; i += MR) {
    const rows = min(MR, rowEnd - i);
    listByteRows(k, a, i, rows, lists, counts);
    for (let r = 0; r < rows; r++) {
      const list = lists + <usize>r * listBytes(k);
      sparseRow<u8>(list, load<i32>(counts + (<usize>r << 2)), a + <usize>((i + r) * k), b, ldb, c + <usize>(i + r) * ldc, bias, n);
    }
  }
}

/**
 * Copies a row-major rows×n B to `dst` with its rows ld ≥ n floats apart, zero after column n: rows
 * a whole number of vectors long (ld a multiple of 4) keep the sparse path's loads from straddling
 * cache lines (MNIST's 50 hidden units: rows 200 bytes apart, half of them not 16-byte aligned).
 */
export function padRows(src: usize, dst: usize, rows: i32, n: i32, ld: i32): void {
  const from: usize = <usize>n << 2;
  const to: usize = <usize>ld << 2;
  const whole: usize = <usize>(n >> 2) << 4;
  // the lanes of the vector that holds the row's last floats, the rest zero
  const tail = n & 3;
  const keep = i32x4(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, 0);
  for (let p = 0; p < rows; p++) {
    const s = src + <usize>p * from;
    const d = dst + <usize>p * to;
    let j: usize = 0;
    for (; j < whole; j += 16) v128.store(d + j, v128.load(s + j));
    // read past the row (into the next, or the slack after B) and masked
    if (tail != 0) {
      v128.store(d + j, v128.and(v128.load(s + j), keep));
      j += 16;
    }
    for (; j < to; j += 16) v128.store(d + j, i32x4.splat(0));
  }
}
