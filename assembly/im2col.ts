// The book's im2col and col2im on float32, as src/tensor/im2col.ts writes them: every window of
// x (N×C×H×W, zero padded) as a row of col, (N·OH·OW) × (C·FH·FW [+ 1, a column of ones]), rows
// ordered (n, oh, ow) and columns (c, fh, fw); col2im adds the rows back where their windows lay.
// A window's row of FW inputs is a run of x's row: inside the image it is copied (or added) a
// vector of four at a time, the lanes past FW read and then written over by the next run (or
// added as 0); at the edges one float at a time. The same floats, added in the same order, as the
// plain loops.

// The whole vectors a run of fw floats takes.
@inline
function vectorsOf(fw: i32): i32 {
  return (fw + 3) >> 2;
}

export function im2col(x: usize, col: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, oh: i32, ow: i32, ones: i32): void {
  const rowLength = c * fh * fw + ones;
  const vectors = vectorsOf(fw);
  let q: usize = col;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const rowEnd = q + (<usize>rowLength << 2);
        const ix0 = xo * stride - pad;
        const inside = ix0 >= 0 && ix0 + (vectors << 2) <= w + 3 && ix0 + fw <= w;
        for (let ch = 0; ch < c; ch++) {
          const plane = (i * c + ch) * h;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y * stride + ky - pad;
            if (iy < 0 || iy >= h) {
              memory.fill(q, 0, <usize>fw << 2);
              q += <usize>fw << 2;
              continue;
            }
            const src = x + (<usize>((plane + iy) * w + ix0) << 2);
            // the last run of a row goes one float at a time: its spare lanes would land past the row
            if (inside && q + (<usize>(vectors << 4)) <= rowEnd) {
              for (let v = 0; v < vectors; v++) v128.store(q + (<usize>v << 4), v128.load(src + (<usize>v << 4)));
            } else {
              for (let kx = 0; kx < fw; kx++) {
                const ix = ix0 + kx;
                store<f32>(q + (<usize>kx << 2), ix >= 0 && ix < w ? load<f32>(src + (<usize>kx << 2)) : 0);
              }
            }
            q += <usize>fw << 2;
          }
        }
        if (ones) {
          store<f32>(q, 1);
          q += 4;
        }
      }
    }
  }
}

export function col2im(col: usize, dx: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, oh: i32, ow: i32, ones: i32): void {
  const rowLength = c * fh * fw + ones;
  const vectors = vectorsOf(fw);
  memory.fill(dx, 0, <usize>(n * c * h * w) << 2);
  // the lanes of a run's last vector that are in the run
  const tail = fw - ((vectors - 1) << 2);
  const keep = i32x4(-1, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, tail > 3 ? -1 : 0);
  let q: usize = col;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const ix0 = xo * stride - pad;
        const inside = ix0 >= 0 && ix0 + (vectors << 2) <= w && ix0 + fw <= w;
        for (let ch = 0; ch < c; ch++) {
          const plane = (i * c + ch) * h;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y * stride + ky - pad;
            if (iy < 0 || iy >= h) {
              q += <usize>fw << 2;
              continue;
            }
            const dst = dx + (<usize>((plane + iy) * w + ix0) << 2);
            if (inside) {
              let v = 0;
              for (; v < vectors - 1; v++) {
                const at = dst + (<usize>v << 4);
                v128.store(at, f32x4.add(v128.load(at), v128.load(q + (<usize>v << 4))));
              }
              const at = dst + (<usize>v << 4);
              v128.store(at, f32x4.add(v128.load(at), v128.and(v128.load(q + (<usize>v << 4)), keep)));
            } else {
              for (let kx = 0; kx < fw; kx++) {
                const ix = ix0 + kx;
                if (ix >= 0 && ix < w) {
                  const at = dst + (<usize>kx << 2);
                  store<f32>(at, load<f32>(at) + load<f32>(q + (<usize>kx << 2)));
                }
              }
            }
            q += <usize>fw << 2;
          }
        }
        q += <usize>ones << 2;
      }
    }
  }
}
