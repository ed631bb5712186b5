// This machine's WebAssembly SIMD peak for float32 multiply-adds on one thread, as the benchmark's
// GEMM table divides by: a loop of `chains` independent chains a = a·m + c of f32x4, each step what
// a step of the product kernels is (a relaxed-SIMD fused multiply-add when the kernels are fused,
// else a multiply and an add), compiled by AssemblyScript with the kernels' options, timed for
// several chain counts (too few wait on each other's latency, too many spill registers), the best
// one kept.

// the compiler is loaded only when the peak is measured (the GEMM workload): imported up front it
// would add some 70 MB to the peak RSS of every workload's process
let asc;

function source(chains, fused) {
  const ids = Array.from({ length: chains }, (_, i) => i);
  return `export function run(iterations: i32): f32 {
  const m = f32x4.splat(0.99999994);
  const c = f32x4.splat(1e-8);
  ${ids.map((i) => `let a${i} = f32x4.splat(${1 + i / 64});`).join('\n  ')}
  for (let i = 0; i < iterations; i++) {
    ${ids.map((i) => (fused ? `a${i} = f32x4.relaxed_madd(a${i}, m, c);` : `a${i} = f32x4.add(f32x4.mul(a${i}, m), c);`)).join('\n    ')}
  }
  let s = a0;
  ${ids
    .slice(1)
    .map((i) => `s = f32x4.add(s, a${i});`)
    .join('\n  ')}
  return f32x4.extract_lane(s, 0);
}`;
}

async function compile(chains, fused) {
  asc ??= (await import('assemblyscript/asc')).default;
  const { binary, stderr } = await asc.compileString(source(chains, fused), {
    optimizeLevel: 3,
    runtime: 'stub',
    enable: fused ? ['simd', 'relaxed-simd'] : ['simd'],
    noAssert: true,
  });
  if (!binary) throw new Error(`simd-peak: ${stderr}`);
  return new WebAssembly.Instance(new WebAssembly.Module(binary)).exports.run;
}

/**
 * GFLOP/s (2 per lane of each multiply-add) of the best chain count, and that count; `fused`: the
 * steps are relaxed-SIMD fused multiply-adds (the engine must have relaxed SIMD on).
 */
export async function simdPeak(minSeconds = 0.2, fused = false, counts = [8, 12, 16, 20, 24]) {
  let best = { gflops: 0, chains: 0, fused };
  for (const chains of counts) {
    const run = await compile(chains, fused);
    const iterations = 1 << 20;
    run(iterations); // compiled and warm
    let rate = 0;
    for (let r = 0; r < 3; r++) {
      let reps = 0;
      const start = performance.now();
      while (performance.now() - start < minSeconds * 1000) {
        run(iterations);
        reps++;
      }
      const seconds = (performance.now() - start) / 1000;
      rate = Math.max(rate, (reps * iterations * chains * 4 * 2) / seconds / 1e9);
    }
    if (rate > best.gflops) best = { gflops: rate, chains, fused };
  }
  return best;
}
