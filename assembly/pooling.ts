// Max pooling, forward and backward, on planes of float32 (N·C planes of H×W, row-major): the
// largest value of each window (padded cells count as 0), the first in row-major order when
// several tie, and the flat index of where it was (−1 for the padding); backward routes each
// gradient back to that index. The same comparisons as the plain loops (src/backend/plain.ts),
// so the same floats and indices.

const NEG_INF = f32x4.splat(-Infinity);

// out[o], argmax[o] for the windows of one plane starting at x + 4·base, the general case
@inline
function windows(x: usize, out: usize, argmax: usize, base: i32, o: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, i: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++, o++) {
    let best: f32 = -Infinity;
    let at = -1;
    for (let ky = 0; ky < fh; ky++) {
      const iy = i * stride + ky - pad;
      for (let kx = 0; kx < fw; kx++) {
        const ix = j * stride + kx - pad;
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        const index = base + iy * w + ix;
        const v: f32 = inside ? load<f32>(x + (<usize>index << 2)) : 0;
        if (v > best) {
          best = v;
          at = inside ? index : -1;
        }
      }
    }
    store<f32>(out + (<usize>o << 2), best);
    store<i32>(argmax + (<usize>o << 2), at);
  }
}

/**
 * Max pooling of `planes` planes of h×w at x into planes of oh×ow at out, argmax beside it.
 * A 2×2 window at stride 2 without padding (the book's) takes four windows a step: the two rows
 * of eight inputs they cover, split into even and odd columns by shuffles, compared in the
 * windows' row-major order.
 */
export function maxPool(x: usize, out: usize, argmax: usize, planes: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, oh: i32, ow: i32): void {
  const quick = fh == 2 && fw == 2 && stride == 2 && pad == 0;
  const step = i32x4(0, 2, 4, 6);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let i = 0; i < oh; i++) {
      let j = 0;
      if (quick) {
        const row = base + 2 * i * w;
        for (; j + 4 <= ow; j += 4, o += 4) {
          const at = row + 2 * j;
          const r0 = x + (<usize>at << 2);
          const r1 = r0 + (<usize>w << 2);
          const a = v128.load(r0);
          const b = v128.load(r0, 16);
          const c = v128.load(r1);
          const d = v128.load(r1, 16);
          const index = i32x4.add(i32x4.splat(at), step);
          let best = NEG_INF;
          let where = i32x4.splat(-1);
          // (0, 0), (0, 1), (1, 0), (1, 1)
          let v = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
          let m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          where = v128.bitselect(index, where, m);
          v = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
          m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          where = v128.bitselect(i32x4.add(index, i32x4.splat(1)), where, m);
          v = v128.shuffle<f32>(c, d, 0, 2, 4, 6);
          m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          where = v128.bitselect(i32x4.add(index, i32x4.splat(w)), where, m);
          v = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
          m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          where = v128.bitselect(i32x4.add(index, i32x4.splat(w + 1)), where, m);
          v128.store(out + (<usize>o << 2), best);
          v128.store(argmax + (<usize>o << 2), where);
        }
      }
      windows(x, out, argmax, base, o, h, w, fh, fw, stride, pad, i, j, ow);
      o += ow - j;
    }
  }
}

/** dx (size floats) = 0, then dx[argmax[o]] += dout[o] for the `count` outputs whose argmax is not −1. */
export function maxPoolBackward(dout: usize, argmax: usize, count: i32, dx: usize, size: i32): void {
  memory.fill(dx, 0, <usize>size << 2);
  for (let o = 0; o < count; o++) {
    const at = load<i32>(argmax + (<usize>o << 2));
    if (at >= 0) {
      const p = dx + (<usize>at << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dout + (<usize>o << 2)));
    }
  }
}
