// Elementwise kernels: the sigmoid and its backward, the relu's forward and backward, and bytes to
// floats in [0, 1].

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
export function normalizeBytes(bytes: usize, out: usize, size: i32): void {
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

// out[i] = src[i] unless x[i] ≤ 0, then +0, for i < size: the forward with src = x, the backward
// with src = dout.
@inline
function reluMask(x: usize, src: usize, out: usize, size: i32): void {
  const zero = f32x4.splat(0);
  const end = <usize>size << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(out + i, v128.andnot(v128.load(src + i), f32x4.le(v128.load(x + i), zero)));
  }
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(x + i) <= 0 ? 0 : load<f32>(src + i));
}

/**
 * out[i] = x[i] unless x[i] ≤ 0, then +0 (NaN passes, as the book's mask x ≤ 0 lets it), for i < size.
 * out may be x.
 */
export function reluForward(x: usize, out: usize, size: i32): void {
  reluMask(x, x, out, size);
}

/**
 * The relu's backward, dx[i] = dout[i] unless y[i] ≤ 0, then +0, for i < size — y being the
 * forward's output, which is ≤ 0 exactly where the input was. dx may be dout.
 */
export function reluBackward(y: usize, dout: usize, dx: usize, size: i32): void {
  reluMask(y, dout, dx, size);
}

/** 1 when each of the size floats at x is finite, 0 when one is NaN or ±∞ (its exponent bits all 1). */
export function allFinite(x: usize, size: i32): i32 {
  const exponent = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) bad = v128.or(bad, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), exponent), exponent));
  let finite = !v128.any_true(bad);
  for (; i < size; i++) if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) finite = false;
  return <i32>finite;
}
