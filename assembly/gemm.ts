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
  return k * (MR * 4 + 4);
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

/**
 * C = op(A)·op(B) (+ bias on every row), C m×n, op(A) m×k, op(B) k×n, for rows rowStart … rowEnd−1
 * of C only, so that two threads can share a product. With transA, A is stored k×m; with transB, B
 * is stored n×k. B is packed at `pack` (packBytes(n, k) bytes) unless `packed` says another thread
 * did; `scratch` holds scratchBytes(k) bytes of this thread's own. `bias` is 0 for none.
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
  if (!packed) packB(transB, n, k, b, pack);
  const apack = scratch;
  const offs = scratch + (<usize>k << 4);
  const ldc: usize = <usize>n << 2;
  const panels = (n + NR - 1) / NR;
  const panelBytes: usize = <usize>(k * NR) << 2;
  for (let i = rowStart; i < rowEnd; i += MR) {
    const rows = min(MR, rowEnd - i);
    const kept = packA(transA, m, k, a, i, rows, apack, offs);
    const aEnd = apack + (<usize>kept << 4);
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
      const cr = c + <usize>i * ldc + (<usize>j << 2);
      storeRow(cr, c00, c01, width);
      if (rows > 1) storeRow(cr + ldc, c10, c11, width);
      if (rows > 2) storeRow(cr + 2 * ldc, c20, c21, width);
      if (rows > 3) storeRow(cr + 3 * ldc, c30, c31, width);
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

/** Where memory free for the caller starts. */
export function heapBase(): usize {
  return __heap_base;
}
