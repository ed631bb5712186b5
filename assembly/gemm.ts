// AssemblyScript: the float32 WebAssembly SIMD kernels behind scratchnet's 'wasm' backend.
// Compiled by `npm run build:wasm` (asc) to dist/wasm/kernels.wasm; src/tensor/wasm-backend.ts
// calls them on flat row-major float32 arrays in this module's memory. Pointers are byte addresses.

// B is packed into panels of 8 columns: panel q holds op(B)[p, 8q … 8q+7] for p = 0 … k−1,
// 8 consecutive floats a row, zero past column n, so every micro-kernel reads two whole vectors.
const NR = 8;
const MR = 4;

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

// Writes the 8 values (v0, v1) to c[0 … width−1].
@inline
function storeRow(c: usize, v0: v128, v1: v128, width: i32): void {
  if (width == NR) {
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  for (let x = 0; x < width; x++) {
    const v = x < 4 ? v0 : v1;
    const lane = x & 3;
    let s: f32 = 0;
    if (lane == 0) s = f32x4.extract_lane(v, 0);
    else if (lane == 1) s = f32x4.extract_lane(v, 1);
    else if (lane == 2) s = f32x4.extract_lane(v, 2);
    else s = f32x4.extract_lane(v, 3);
    store<f32>(c + (<usize>x << 2), s);
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

// SELECT + 16·bits, for each of the 256 patterns of 8 bits: the byte shuffle that moves the 16-bit
// lanes whose bits are set, in order, to the front of a vector (the lanes after them are garbage).
// UNITS + 4·byte: byte / 255 as a float32, correctly rounded (the floats of unitBytes). Both tables
// are written when the module starts, just past its static data, where no data segment reaches: a
// shared memory gets the module's data segments again each time a helper thread instantiates it,
// and zeros written over a table another thread is reading would be wrong products. Each instance
// writes the same bytes, so a helper starting changes nothing. heapBase() hands out what follows.
const SELECT: usize = (__heap_base + 15) & ~15;
const UNITS: usize = SELECT + 256 * 16;
const TABLES_END: usize = UNITS + 256 * 4;
for (let bits = 0; bits < 256; bits++) {
  let front = 0;
  for (let lane = 0; lane < 8; lane++) {
    if ((bits & (1 << lane)) == 0) continue;
    store<u16>(SELECT + (<usize>bits << 4) + (<usize>front << 1), (2 * lane) | ((2 * lane + 1) << 8));
    front++;
  }
  store<f32>(UNITS + (<usize>bits << 2), <f32>(<f64>bits / 255));
}

// The bytes one row's list of non-zero entries takes: a 16-bit index each, and a vector of slack.
@inline
function listBytes(k: i32): usize {
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
function listRows(k: i32, a: usize, i: i32, rows: i32, lists: usize, counts: usize, limit: i32): i32 {
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
function sparseRow<T>(list: usize, count: i32, row: usize, b: usize, ldb: i32, c: usize, bias: usize, n: i32): void {
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
function biasOr0(bias: usize, at: i32, width: i32): v128 {
  return bias != 0 && at < width ? loadPartial(bias + (<usize>at << 2), width - at) : f32x4.splat(0);
}

// Stores vector v as c[at … at + 3], cut at width.
@inline
function storeCut(c: usize, at: i32, v: v128, width: i32): void {
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
// = Σ over the `count` listed p of A[p] · B[p, 0 … 4V − 1], one rounding per multiply and per add,
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
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(r)));
    if (V > 1) c1 = f32x4.add(c1, f32x4.mul(x, v128.load(r, 16)));
    if (V > 2) c2 = f32x4.add(c2, f32x4.mul(x, v128.load(r, 32)));
    if (V > 3) c3 = f32x4.add(c3, f32x4.mul(x, v128.load(r, 48)));
    if (V > 4) c4 = f32x4.add(c4, f32x4.mul(x, v128.load(r, 64)));
    if (V > 5) c5 = f32x4.add(c5, f32x4.mul(x, v128.load(r, 80)));
    if (V > 6) c6 = f32x4.add(c6, f32x4.mul(x, v128.load(r, 96)));
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
    s00 = f32x4.add(s00, f32x4.mul(x0, b0));
    s10 = f32x4.add(s10, f32x4.mul(x1, b0));
    if (V > 1) {
      const b1 = v128.load(bp, 16);
      s01 = f32x4.add(s01, f32x4.mul(x0, b1));
      s11 = f32x4.add(s11, f32x4.mul(x1, b1));
    }
    if (V > 2) {
      const b2 = v128.load(bp, 32);
      s02 = f32x4.add(s02, f32x4.mul(x0, b2));
      s12 = f32x4.add(s12, f32x4.mul(x1, b2));
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

// The longest row the sparse-row path lists: its lists hold 16-bit indices (wasm-backend.ts keeps
// longer rows of bytes from gemmBytes).
const MAX_LIST_K = 65536;

// A block of rows takes the sparse-row path when at most SPARSE_NUM / SPARSE_DEN of its entries are
// not zero: MNIST's pixels are about 19% non-zero, dense data never takes it.
const SPARSE_NUM = 3;
const SPARSE_DEN = 10;

// The sparse and narrow paths read up to 12 bytes past the end of B (lanes they never store): the heap
// (src/tensor/wasm-heap.ts) keeps more than that readable past its last block.

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
 * p = 0 … k−1, one rounding per multiply and per add, so they give the same floats (up to the sign
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
          c00 = f32x4.add(c00, f32x4.mul(x, b0));
          c01 = f32x4.add(c01, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 4);
          c10 = f32x4.add(c10, f32x4.mul(x, b0));
          c11 = f32x4.add(c11, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 8);
          c20 = f32x4.add(c20, f32x4.mul(x, b0));
          c21 = f32x4.add(c21, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 12);
          c30 = f32x4.add(c30, f32x4.mul(x, b0));
          c31 = f32x4.add(c31, f32x4.mul(x, b1));
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
          c00 = f32x4.add(c00, f32x4.mul(x, b0));
          c01 = f32x4.add(c01, f32x4.mul(x, b1));
          x = v128.load32_splat(a1 + o);
          c10 = f32x4.add(c10, f32x4.mul(x, b0));
          c11 = f32x4.add(c11, f32x4.mul(x, b1));
          x = v128.load32_splat(a2 + o);
          c20 = f32x4.add(c20, f32x4.mul(x, b0));
          c21 = f32x4.add(c21, f32x4.mul(x, b1));
          x = v128.load32_splat(a3 + o);
          c30 = f32x4.add(c30, f32x4.mul(x, b0));
          c31 = f32x4.add(c31, f32x4.mul(x, b1));
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

/**
 * C = (A / 255)·B (+ bias on every row) for rows rowStart … rowEnd − 1 of C, with A a row-major
 * array of bytes, k a row (images as stored) and B k×n, its rows ldb ≥ n floats apart (padRows): the
 * sparse-row path straight from the bytes, whose floats are never written. The same floats as
 * converting A with unitBytes and calling gemm. `scratch` holds scratchBytes(k) bytes of this
 * thread's own.
 */
export function gemmBytes(n: i32, k: i32, a: usize, b: usize, ldb: i32, c: usize, bias: usize, rowStart: i32, rowEnd: i32, scratch: usize): void {
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

// The first min(count, 4) floats at p as a vector, zero past them.
@inline
function loadPartial(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
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

/** Where memory free for the caller starts. */
export function heapBase(): usize {
  return TABLES_END;
}

// e^x on four lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' expf polynomial (relative error
// about 1e-7), 2^n put straight into the exponent bits. x is clamped to [−87.3, 88.3], where e^x and
// 2^n stay normal floats.
@inline
function exp4(x: v128): v128 {
  // pmax/pmin are single instructions (max/min are not); a NaN x stays NaN through both
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.3));
  // n = x·log2(e) rounded to the nearest integer (ties to even), by adding and taking off 1.5·2²³:
  // the sum's low mantissa bits are then n itself
  const shifted = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504)), f32x4.splat(12582912));
  const n = f32x4.sub(shifted, f32x4.splat(12582912));
  // ln 2 in two parts, so that n·ln2 is subtracted without losing r's low bits
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2ⁿ: n + 127 in the exponent bits (n's bits are the low bits of `shifted`, whose exponent is 2²³'s)
  const scale = i32x4.shl(i32x4.sub(shifted, i32x4.splat(0x4b400000 - 127)), 23);
  return f32x4.mul(er, scale);
}

/** out[i] = 1 / (1 + e^(−x[i])) for i < size; out may be x. */
export function sigmoid(x: usize, out: usize, size: i32): void {
  const one = f32x4.splat(1);
  const end = <usize>size << 2;
  let i: usize = 0;
  // four vectors a step: their long chains of dependent operations overlap
  for (; i + 64 <= end; i += 64) {
    const e0 = exp4(f32x4.neg(v128.load(x + i)));
    const e1 = exp4(f32x4.neg(v128.load(x + i, 16)));
    const e2 = exp4(f32x4.neg(v128.load(x + i, 32)));
    const e3 = exp4(f32x4.neg(v128.load(x + i, 48)));
    v128.store(out + i, f32x4.div(one, f32x4.add(one, e0)));
    v128.store(out + i, f32x4.div(one, f32x4.add(one, e1)), 16);
    v128.store(out + i, f32x4.div(one, f32x4.add(one, e2)), 32);
    v128.store(out + i, f32x4.div(one, f32x4.add(one, e3)), 48);
  }
  for (; i + 16 <= end; i += 16) v128.store(out + i, f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v128.load(x + i))))));
  for (; i < end; i += 4) {
    const e = exp4(f32x4.neg(f32x4.splat(load<f32>(x + i))));
    store<f32>(out + i, f32x4.extract_lane(f32x4.div(one, f32x4.add(one, e)), 0));
  }
}

// byte / 255 without a division: 1/255 = 2⁻⁸ + 2⁻¹⁶ + 2⁻²⁴ + …, so byte/255 = byte·H + byte·L + …
// with H = 0x010101·2⁻²⁴ and L = 0x010101·2⁻⁴⁸. Both products are exact (at most 24 bits), and their
// one rounded sum is byte/255 correctly rounded for every byte (checked for all 256: the bits left
// out lie far below float32's last place and never make a tie).
const UNIT_HIGH: f32 = 0.003921568393707275; // 0x010101·2⁻²⁴
const UNIT_LOW: f32 = 2.3374369106932136e-10; // 0x010101·2⁻⁴⁸

@inline
function unit4(bytes32: v128): v128 {
  const v = f32x4.convert_i32x4_s(bytes32);
  return f32x4.add(f32x4.mul(v, f32x4.splat(UNIT_HIGH)), f32x4.mul(v, f32x4.splat(UNIT_LOW)));
}

/**
 * out[i] = bytes[i] / 255 for i < size: pixels as the book normalises them, sixteen at a time,
 * the same floats as dividing in float64 and rounding to float32.
 */
export function unitBytes(bytes: usize, out: usize, size: i32): void {
  const end = <usize>size;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(bytes + i);
    const o = out + (i << 2);
    if (!v128.any_true(v)) {
      // sixteen black pixels, as most of MNIST's margins
      const zero = f32x4.splat(0);
      v128.store(o, zero);
      v128.store(o, zero, 16);
      v128.store(o, zero, 32);
      v128.store(o, zero, 48);
      continue;
    }
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    v128.store(o, unit4(i32x4.extend_low_i16x8_u(lo)));
    v128.store(o, unit4(i32x4.extend_high_i16x8_u(lo)), 16);
    v128.store(o, unit4(i32x4.extend_low_i16x8_u(hi)), 32);
    v128.store(o, unit4(i32x4.extend_high_i16x8_u(hi)), 48);
  }
  for (; i < end; i++) store<f32>(out + (i << 2), <f32>load<u8>(bytes + i) / 255);
}

/**
 * The sigmoid's backward, dx[i] = dout[i]·y[i]·(1 − y[i]) for i < size with y its forward's output,
 * computed in float64 and rounded once, as the plain loop: the same floats. dx may be dout.
 */
export function sigmoidBackward(y: usize, dout: usize, dx: usize, size: i32): void {
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 2 <= size; i += 2) {
    const at = <usize>i << 2;
    const yv = f64x2.promote_low_f32x4(v128.load64_zero(y + at));
    const dv = f64x2.promote_low_f32x4(v128.load64_zero(dout + at));
    v128.store64_lane(dx + at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.mul(dv, yv), f64x2.sub(one, yv))), 0);
  }
  for (; i < size; i++) {
    const at = <usize>i << 2;
    const yi = <f64>load<f32>(y + at);
    store<f32>(dx + at, <f32>(<f64>load<f32>(dout + at) * yi * (1 - yi)));
  }
}

/**
 * out[i] = x[i] unless x[i] ≤ 0, then +0 (NaN passes, as the book's mask x ≤ 0 lets it), for i < size.
 * With `dout` (not 0) it is the backward instead: out[i] = dout[i] unless x[i] ≤ 0 — x being the
 * forward's output, which is ≤ 0 exactly where the input was.
 */
export function relu(x: usize, dout: usize, out: usize, size: i32): void {
  const zero = f32x4.splat(0);
  const src = dout != 0 ? dout : x;
  const end = <usize>size << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(out + i, v128.andnot(v128.load(src + i), f32x4.le(v128.load(x + i), zero)));
  }
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(x + i) <= 0 ? 0 : load<f32>(src + i));
}

/**
 * The book's SGD step on float32 parameters, p[i] −= lr·g[i] for i < size, computed in float64 and
 * rounded once, as the plain loop (which does it in JavaScript numbers): the same floats.
 */
export function sgd(p: usize, g: usize, size: i32, lr: f64): void {
  const rate = f64x2.splat(lr);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const at = <usize>i << 2;
    const pv = v128.load(p + at);
    const gv = v128.load(g + at);
    const lo = f64x2.sub(f64x2.promote_low_f32x4(pv), f64x2.mul(rate, f64x2.promote_low_f32x4(gv)));
    const hi = f64x2.sub(
      f64x2.promote_low_f32x4(i32x4.shuffle(pv, pv, 2, 3, 0, 1)),
      f64x2.mul(rate, f64x2.promote_low_f32x4(i32x4.shuffle(gv, gv, 2, 3, 0, 1))),
    );
    v128.store(p + at, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; i < size; i++) {
    const at = <usize>i << 2;
    store<f32>(p + at, <f32>(<f64>load<f32>(p + at) - lr * <f64>load<f32>(g + at)));
  }
}

/**
 * The book's Adam step on `size` float32 parameters p with float32 gradients g and float64 running
 * means m, v, two at a time in float64, the same operations in the same order as the plain loop:
 * m += (1 − β1)(g − m); v += (1 − β2)(g² − v); p −= lr_t·m / (√v + 1e-7), p rounded to float32.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, size: i32, lrT: f64, beta1: f64, beta2: f64): void {
  const c1 = f64x2.splat(1 - beta1);
  const c2 = f64x2.splat(1 - beta2);
  const lr = f64x2.splat(lrT);
  const eps = f64x2.splat(1e-7);
  let i = 0;
  for (; i + 2 <= size; i += 2) {
    const q = <usize>i;
    const gi = f64x2.promote_low_f32x4(v128.load64_zero(g + (q << 2)));
    let mi = v128.load(m + (q << 3));
    let vi = v128.load(v + (q << 3));
    mi = f64x2.add(mi, f64x2.mul(c1, f64x2.sub(gi, mi)));
    vi = f64x2.add(vi, f64x2.mul(c2, f64x2.sub(f64x2.mul(gi, gi), vi)));
    v128.store(m + (q << 3), mi);
    v128.store(v + (q << 3), vi);
    const pi = f64x2.promote_low_f32x4(v128.load64_zero(p + (q << 2)));
    const step = f64x2.div(f64x2.mul(lr, mi), f64x2.add(f64x2.sqrt(vi), eps));
    v128.store64_lane(p + (q << 2), f32x4.demote_f64x2_zero(f64x2.sub(pi, step)), 0);
  }
  for (; i < size; i++) {
    const q = <usize>i;
    const gi = <f64>load<f32>(g + (q << 2));
    const mi = load<f64>(m + (q << 3)) + (1 - beta1) * (gi - load<f64>(m + (q << 3)));
    const vi = load<f64>(v + (q << 3)) + (1 - beta2) * (gi * gi - load<f64>(v + (q << 3)));
    store<f64>(m + (q << 3), mi);
    store<f64>(v + (q << 3), vi);
    store<f32>(p + (q << 2), <f32>(<f64>load<f32>(p + (q << 2)) - (lrT * mi) / (Math.sqrt(vi) + 1e-7)));
  }
}
