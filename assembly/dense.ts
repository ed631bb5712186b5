// The float product gemm: the dense path (B packed into panels, a 4×8 register block), the narrow
// path for a C a few columns wide, and the choice of path, the sparse-row one being in sparse.ts.

import { MR, NR, loadPartial, madd, storeRow } from './common';
import { biasOr0, listBytes, listRows, sparseRow, storeCut } from './sparse';

/** The bytes `gemm` needs at `pack` for a k×n op(B). */
export function packBytes(n: i32, k: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k * 4;
}

function packB(transB: bool, n: i32, k: i32, b: usize, pack: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let q = 0; q < panels; q++) {
    const j = q * NR;
    const width = min(NR, n - j);
    const dst = pack + <usize>(q * k * NR) * 4;
    if (!transB) {
      // op(B)[p, j] = b[p·n + j]: rows of the panel are contiguous in b
      if (width == NR) {
        for (let p = 0; p < k; p++) {
          const src = b + (<usize>(p * n + j) << 2);
          const d = dst + (<usize>(p * NR) << 2);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        }
      } else {
        for (let p = 0; p < k; p++) {
          const src = b + (<usize>(p * n + j) << 2);
          const d = dst + (<usize>(p * NR) << 2);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let x = 0; x < width; x++) store<f32>(d + (<usize>x << 2), load<f32>(src + (<usize>x << 2)));
        }
      }
    } else {
      // op(B)[p, j] = b[j·k + p]: read each column of the panel along its contiguous row of b
      if (width < NR) memory.fill(dst, 0, <usize>(k * NR) << 2);
      for (let x = 0; x < width; x++) {
        const src = b + (<usize>((j + x) * k) << 2);
        const d = dst + (<usize>x << 2);
        for (let p = 0; p < k; p++) store<f32>(d + (<usize>(p * NR) << 2), load<f32>(src + (<usize>p << 2)));
      }
    }
  }
}

/** The bytes of per-thread scratch `gemm` needs for a k-long op(A) row block. */
export function scratchBytes(k: i32): i32 {
  // the interleaved rows and their offsets for the dense path, the rows' lists and counts for the sparse one
  return k * (MR * 4 + 4) + MR * <i32>listBytes(k) + MR * 4;
}

// Copies rows i … i+rows−1 of op(A) into `dst` interleaved, dst[4t + r] = op(A)[i + r, p_t], keeping
// only the steps p_t where one of the rows is not zero, and writes p_t's byte offset in a B panel to
// offs[t]. Returns how many steps were kept. Zero steps (the blank margins of MNIST images, a dead
// relu) add nothing to C, so the micro-kernel never sees them; on dense data every step is kept.
function packA(transA: bool, m: i32, k: i32, a: usize, i: i32, rows: i32, dst: usize, offs: usize): i32 {
  let kept = 0;
  // op(A)[i + r, p] is at a + r·rs + p·cs (bytes); rows past `rows` read row 0 again and are zeroed
  const rs: usize = transA ? 4 : <usize>k << 2;
  const cs: usize = transA ? <usize>m << 2 : 4;
  const a0 = a + (transA ? <usize>i << 2 : <usize>(i * k) << 2);
  const a1 = rows > 1 ? a0 + rs : a0;
  const a2 = rows > 2 ? a0 + 2 * rs : a0;
  const a3 = rows > 3 ? a0 + 3 * rs : a0;
  const mask = i32x4(-1, rows > 1 ? -1 : 0, rows > 2 ? -1 : 0, rows > 3 ? -1 : 0);
  let ao: usize = 0;
  for (let p = 0; p < k; p++) {
    let v: v128;
    if (transA && rows == MR) {
      v = v128.load(a0 + ao);
    } else {
      // four scalar loads into lanes (storing scalars and reloading a vector would stall the store buffer)
      v = v128.load32_zero(a0 + ao);
      v = v128.load32_lane(a1 + ao, v, 1);
      v = v128.load32_lane(a2 + ao, v, 2);
      v = v128.load32_lane(a3 + ao, v, 3);
      v = v128.and(v, mask);
    }
    v128.store(dst + (<usize>kept << 4), v);
    store<i32>(offs + (<usize>kept << 2), p * NR * 4);
    kept += <i32>v128.any_true(v);
    ao += cs;
  }
  return kept;
}

// Rows a0 and a1 of a row-major A (a1 = a0 for one row) times a row-major k×n B, n ≤ 4V, + bias,
// into c0 and c1 (c1 = 0 for one row): V vectors a row, each step one float of each row times B's
// row, in the order p = 0 … k − 1 as the other paths. B's last row is read up to 12 bytes past n.
@inline
function narrowPass(a0: usize, a1: usize, k: i32, b: usize, n: i32, c0: usize, c1: usize, bias: usize, V: i32): void {
  const zero = f32x4.splat(0);
  let s00 = biasOr0(bias, 0, n);
  let s01 = V > 1 ? biasOr0(bias, 4, n) : zero;
  let s02 = V > 2 ? biasOr0(bias, 8, n) : zero;
  let s10 = s00;
  let s11 = s01;
  let s12 = s02;
  const rowStep = <usize>n << 2;
  const end = <usize>k << 2;
  let bp = b;
  for (let o: usize = 0; o < end; o += 4) {
    const x0 = v128.load32_splat(a0 + o);
    const x1 = v128.load32_splat(a1 + o);
    const b0 = v128.load(bp);
    s00 = madd(x0, b0, s00);
    s10 = madd(x1, b0, s10);
    if (V > 1) {
      const b1 = v128.load(bp, 16);
      s01 = madd(x0, b1, s01);
      s11 = madd(x1, b1, s11);
    }
    if (V > 2) {
      const b2 = v128.load(bp, 32);
      s02 = madd(x0, b2, s02);
      s12 = madd(x1, b2, s12);
    }
    bp += rowStep;
  }
  storeCut(c0, 0, s00, n);
  if (V > 1) storeCut(c0, 4, s01, n);
  if (V > 2) storeCut(c0, 8, s02, n);
  if (c1 == 0) return;
  storeCut(c1, 0, s10, n);
  if (V > 1) storeCut(c1, 4, s11, n);
  if (V > 2) storeCut(c1, 8, s12, n);
}

function narrow1(a0: usize, a1: usize, k: i32, b: usize, n: i32, c0: usize, c1: usize, bias: usize): void {
  narrowPass(a0, a1, k, b, n, c0, c1, bias, 1);
}

function narrow2(a0: usize, a1: usize, k: i32, b: usize, n: i32, c0: usize, c1: usize, bias: usize): void {
  narrowPass(a0, a1, k, b, n, c0, c1, bias, 2);
}

function narrow3(a0: usize, a1: usize, k: i32, b: usize, n: i32, c0: usize, c1: usize, bias: usize): void {
  narrowPass(a0, a1, k, b, n, c0, c1, bias, 3);
}

// The longest row the sparse-row path lists: its lists hold 16-bit indices
// (src/backend/wasm/kernels.ts keeps longer rows of bytes from gemmNormalizedBytes).
const MAX_LIST_K = 65536;

// A block of rows takes the sparse-row path when at most SPARSE_NUM / SPARSE_DEN of its entries are
// not zero: MNIST's pixels are about 19% non-zero, dense data never takes it.
const SPARSE_NUM = 3;
const SPARSE_DEN = 10;

// The sparse and narrow paths read up to 12 bytes past the end of B (lanes they never store): the heap
// (src/backend/wasm/heap.ts) keeps more than that readable past its last block.

/**
 * C = op(A)·op(B) (+ bias on every row), C m×n, op(A) m×k, op(B) k×n, for rows rowStart … rowEnd−1
 * of C only, so that two threads can share a product. With transA, A is stored k×m; with transB, B
 * is stored n×k. `scratch` holds scratchBytes(k) bytes of this thread's own; `bias` is 0 for none.
 *
 * Each block of 4 rows takes one of three paths. Sparse rows (A and B not transposed, k ≤ 65,536,
 * and at most 30% of the 4 rows' entries non-zero, as for MNIST's strokes and relu outputs): each
 * row walks its own non-zeros over B's rows in place, no packing. Narrow (A and B not transposed,
 * n ≤ 12, as a last layer of 10 classes): two rows at a time against B's rows in place. Dense: the
 * rows of op(A) (transposed ones interleaved, their all-zero k-steps dropped) against B packed in
 * 8-column panels at `pack` (packBytes(n, k) bytes, packed on first use unless `packed` says another
 * thread did), a 4×8 register block. All start from the bias and add the products in the order
 * p = 0 … k−1, each step one madd (common.ts), so they give the same floats (up to the sign
 * of a zero sum).
 */
export function gemm(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  b: usize,
  c: usize,
  bias: usize,
  pack: usize,
  packed: bool,
  rowStart: i32,
  rowEnd: i32,
  scratch: usize,
): void {
  const apack = scratch;
  const offs = scratch + (<usize>k << 4);
  const lists = offs + (<usize>k << 2);
  const counts = lists + <usize>MR * listBytes(k);
  const ldc: usize = <usize>n << 2;
  const panels = (n + NR - 1) / NR;
  const panelBytes: usize = <usize>(k * NR) << 2;
  let isPacked = packed;
  for (let i = rowStart; i < rowEnd; i += MR) {
    const rows = min(MR, rowEnd - i);
    // rows mostly zero (MNIST's pixels, relu outputs): each row walks its own non-zeros
    if (!transA && !transB && k <= MAX_LIST_K && listRows(k, a, i, rows, lists, counts, (rows * k * SPARSE_NUM) / SPARSE_DEN) >= 0) {
      for (let r = 0; r < rows; r++) {
        const list = lists + <usize>r * listBytes(k);
        const row = a + (<usize>((i + r) * k) << 2);
        sparseRow<f32>(list, load<i32>(counts + (<usize>r << 2)), row, b, n, c + <usize>(i + r) * ldc, bias, n);
      }
      continue;
    }
    // a narrow C (n ≤ 12, as a last layer of 10 classes): rows of A and B read in place, two rows a pass
    if (!transA && !transB && n <= 12) {
      for (let r = 0; r < rows; r += 2) {
        const a0 = a + (<usize>((i + r) * k) << 2);
        const c0 = c + <usize>(i + r) * ldc;
        const two = r + 1 < rows;
        const a1 = two ? a0 + (<usize>k << 2) : a0;
        const c1 = two ? c0 + ldc : 0;
        if (n <= 4) narrow1(a0, a1, k, b, n, c0, c1, bias);
        else if (n <= 8) narrow2(a0, a1, k, b, n, c0, c1, bias);
        else narrow3(a0, a1, k, b, n, c0, c1, bias);
      }
      continue;
    }
    // op(A) stored transposed: its 4 rows' k-steps are 4 adjacent floats, interleaved once into
    // `apack` with the all-zero steps dropped; stored as is, the kernel reads its 4 rows in place
    const kept = transA ? packA(transA, m, k, a, i, rows, apack, offs) : k;
    if (!isPacked) {
      packB(transB, n, k, b, pack);
      isPacked = true;
    }
    const aEnd = apack + (<usize>kept << 4);
    const a0 = a + (<usize>(i * k) << 2);
    const a1 = rows > 1 ? a0 + (<usize>k << 2) : a0;
    const a2 = rows > 2 ? a0 + (<usize>(2 * k) << 2) : a0;
    const a3 = rows > 3 ? a0 + (<usize>(3 * k) << 2) : a0;
    for (let q = 0; q < panels; q++) {
      const j = q * NR;
      const width = min(NR, n - j);
      let bb0 = f32x4.splat(0);
      let bb1 = bb0;
      if (bias != 0) {
        bb0 = loadPartial(bias + (<usize>j << 2), width);
        if (width > 4) bb1 = loadPartial(bias + (<usize>(j + 4) << 2), width - 4);
      }
      let c00 = bb0, c01 = bb1, c10 = bb0, c11 = bb1, c20 = bb0, c21 = bb1, c30 = bb0, c31 = bb1;
      const pb = pack + <usize>q * panelBytes;
      if (transA) {
        let ap = apack;
        let op = offs;
        while (ap < aEnd) {
          const bp = pb + <usize>load<i32>(op);
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          let x = v128.load32_splat(ap);
          c00 = madd(x, b0, c00);
          c01 = madd(x, b1, c01);
          x = v128.load32_splat(ap, 4);
          c10 = madd(x, b0, c10);
          c11 = madd(x, b1, c11);
          x = v128.load32_splat(ap, 8);
          c20 = madd(x, b0, c20);
          c21 = madd(x, b1, c21);
          x = v128.load32_splat(ap, 12);
          c30 = madd(x, b0, c30);
          c31 = madd(x, b1, c31);
          ap += 16;
          op += 4;
        }
      } else {
        // the same register block, A's four rows read where they are
        const bEnd = pb + panelBytes;
        let o: usize = 0;
        for (let bp = pb; bp < bEnd; bp += 32) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          let x = v128.load32_splat(a0 + o);
          c00 = madd(x, b0, c00);
          c01 = madd(x, b1, c01);
          x = v128.load32_splat(a1 + o);
          c10 = madd(x, b0, c10);
          c11 = madd(x, b1, c11);
          x = v128.load32_splat(a2 + o);
          c20 = madd(x, b0, c20);
          c21 = madd(x, b1, c21);
          x = v128.load32_splat(a3 + o);
          c30 = madd(x, b0, c30);
          c31 = madd(x, b1, c31);
          o += 4;
        }
      }
      const cr = c + <usize>i * ldc + (<usize>j << 2);
      storeRow(cr, c00, c01, width);
      if (rows > 1) storeRow(cr + ldc, c10, c11, width);
      if (rows > 2) storeRow(cr + 2 * ldc, c20, c21, width);
      if (rows > 3) storeRow(cr + 3 * ldc, c30, c31, width);
    }
  }
}
