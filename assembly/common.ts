// The pieces both products share: the register blocks' shape and how a vector is loaded or stored
// cut at the edge of a row.

// B is packed into panels of 8 columns: panel q holds op(B)[p, 8q … 8q+7] for p = 0 … k−1,
// 8 consecutive floats a row, zero past column n, so every micro-kernel reads two whole vectors.
export const NR = 8;
export const MR = 4;

// acc + x·y on each lane, the one step of every product. Built with relaxed SIMD
// (dist/wasm/kernels-fma*.wasm) it is relaxed_madd, which V8 compiles to one fused multiply-add
// (one rounding) on a processor that has it, and to a multiply and an add elsewhere; built without,
// it is a multiply and an add (two roundings). fused() tells which the running module does.
@inline
export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/**
 * 1 when madd rounds once (a fused multiply-add), 0 when it rounds the product and then the sum:
 * (1 + 2⁻²³)(1 − 2⁻²³) − 1 is −2⁻⁴⁶ exactly, but 0 once the product is rounded to float32.
 */
export function fused(): i32 {
  const x = f32x4.splat(<f32>1.00000011920928955078125);
  const y = f32x4.splat(<f32>0.99999988079071044921875);
  return <i32>(f32x4.extract_lane(madd(x, y, f32x4.splat(-1)), 0) != 0);
}

// Writes the 8 values (v0, v1) to c[0 … width−1].
@inline
export function storeRow(c: usize, v0: v128, v1: v128, width: i32): void {
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

// The first min(count, 4) floats at p as a vector, zero past them.
@inline
export function loadPartial(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}
