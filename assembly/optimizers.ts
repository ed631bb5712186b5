// The optimizers' update steps on float32 parameters.

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
