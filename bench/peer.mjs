// One peer in its own process: `node bench/peer.mjs MODULE VARIANT JOBS_JSON` runs each job
// ({ workload, settings }) and prints one JSON line per job, with this process's peak RSS.
import { gemmOperands, peakRssMB } from './common.mjs';
import { GEMM_SHAPES, TRANSPOSES } from './workloads.mjs';

const [module, variant, jobsJson] = process.argv.slice(2);
const peer = await import(`./peers/${module}.mjs`);
for (const { workload, settings } of JSON.parse(jobsJson)) {
  const run = peer[workload];
  if (!run) {
    console.log(JSON.stringify({ workload, skipped: `no ${workload} for ${module}` }));
    continue;
  }
  const shapes = GEMM_SHAPES.slice(0, settings.shapes ?? GEMM_SHAPES.length);
  const result = await run(settings, variant, shapes, TRANSPOSES, gemmOperands);
  console.log(JSON.stringify({ workload, ...result, peakRssMB: peakRssMB() }));
}
