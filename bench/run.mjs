// `npm run bench [-- --quick] [-- --only W1,GEMM] [-- --peers numpy,tfjs-wasm]`: scratchnet and its
// peers side by side on the workloads of workloads.mjs, each peer in a child process of its own
// (so that its peak RSS is its own); prints Markdown tables: median, min–max, peak RSS and each
// peer's time divided by scratchnet's. --quick runs a few-second version (npm test runs it).
// A peer's `only` lists the workloads it implements, `skip` says why it leaves one out, and `runs`
// lowers the full run's repetitions where one run takes many minutes.
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mnistDataDir } from './common.mjs';
import { GEMM_SHAPES, settingsOf, TRANSPOSES, workloads } from './workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1].split(',') : undefined;
};
const only = flag('--only') ?? ['W1', 'W2', 'W3', 'W4', 'W5', 'GEMM'];

const TFJS_W5 = 'not written: its convolutions are timed by W3 (tfjs-backend-wasm cannot train one)';

// The first peer is the one every ratio divides by.
const PEERS = [
  { id: 'scratchnet', name: 'scratchnet (wasm, float32)', module: 'scratchnet', variant: 'wasm' },
  { id: 'scratchnet-2', name: 'scratchnet (wasm, float32, 2 threads)', module: 'scratchnet', variant: 'wasm-2' },
  {
    id: 'scratchnet-js',
    name: 'scratchnet (plain JS, float32)',
    module: 'scratchnet',
    variant: 'js-f32',
    only: ['W1', 'W2', 'W3', 'W4', 'GEMM'],
    runs: { W2: 1 },
  },
  { id: 'scratchnet-f64', name: 'scratchnet (plain JS, float64)', module: 'scratchnet', variant: 'js-f64', only: ['W1'] },
  { id: 'numpy', name: 'NumPy + OpenBLAS, 1 thread', python: true },
  {
    id: 'tfjs-wasm',
    name: 'tfjs-backend-wasm',
    module: 'tfjs',
    variant: 'wasm',
    only: ['W1', 'W2', 'W3', 'W4', 'GEMM'],
    skip: { W5: TFJS_W5 },
  },
  {
    id: 'tfjs-cpu',
    name: 'tfjs cpu',
    module: 'tfjs',
    variant: 'cpu',
    runs: { W2: 1, W3: 1 },
    only: ['W1', 'W2', 'W3', 'W4', 'GEMM'],
    skip: { W5: TFJS_W5 },
  },
  {
    id: 'jax',
    name: 'jax-js (wasm)',
    module: 'jax',
    only: ['W1', 'W2', 'W3', 'W4', 'GEMM'],
    skip: { W5: 'not written: its Dropout masks would need random keys threaded through the jitted step; W3 times its convolutions' },
  },
  { id: 'convnetjs', name: 'ConvNetJS', module: 'convnetjs', only: ['W1', 'W2', 'W3', 'W4'], runs: { W2: 1 } },
  {
    id: 'brain',
    name: 'brain.js',
    module: 'brain',
    only: ['W1', 'W4'],
    skip: {
      W2: 'skipped: brain.js 1.6.1 has no mini-batches and no softmax cross-entropy (its NeuralNetwork, praxis adam too, updates after every example on a squared error)',
      W3: 'skipped: brain.js 1.6.1 has no convolution or pooling layers',
    },
  },
];
const chosen = flag('--peers');
const peers = PEERS.filter((p) => !chosen || chosen.includes(p.id) || p.id === 'scratchnet');

function hasNumpy() {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const run = promisify(execFile);

// Runs jobs in a child process of the peer's; returns one result per job.
async function runPeer(peer, jobs) {
  try {
    if (peer.python) {
      const results = [];
      for (const { workload, settings } of jobs) {
        const s = { ...settings, shapes: GEMM_SHAPES.slice(0, settings.shapes ?? GEMM_SHAPES.length), transposes: TRANSPOSES };
        const { stdout } = await run('python3', [join(here, 'peers', 'numpy_peer.py'), workload, JSON.stringify(s), mnistDataDir()], {
          env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
          maxBuffer: 1 << 24,
        });
        results.push({ workload, ...JSON.parse(stdout.trim().split('\n').pop()) });
      }
      return results;
    }
    const { stdout } = await run(process.execPath, [join(here, 'peer.mjs'), peer.module, peer.variant ?? '', JSON.stringify(jobs)], {
      maxBuffer: 1 << 24,
    });
    return stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  } catch (e) {
    const why = String(e.stderr || e.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    return jobs.map(({ workload }) => ({ workload, skipped: `failed: ${why.slice(0, 200)}` }));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtTime = (sec) => (sec >= 1 ? `${sec.toFixed(2)} s` : sec >= 1e-3 ? `${(sec * 1e3).toFixed(1)} ms` : `${(sec * 1e6).toFixed(0)} µs`);
const span = (xs, f) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
const ratio = (x) => (x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);

const numpy = hasNumpy();
const results = {}; // results[workload][peer.id]
// A peer's runs of a workload made in several processes are pooled: their timings joined, the
// highest peak RSS kept.
const record = (workload, id, result) => {
  results[workload] ??= {};
  const before = results[workload][id];
  if (before && !before.skipped && !result.skipped) {
    for (const key of ['times', 'latency', 'throughput']) if (result[key]) result[key] = [...before[key], ...result[key]];
    result.peakRssMB = Math.max(before.peakRssMB, result.peakRssMB);
  }
  results[workload][id] = before?.skipped ? before : result;
};
const fewerRuns = (peer, workload) => !quick && peer.runs?.[workload] !== undefined;
const settingsFor = (peer, workload) => {
  const settings = settingsOf(workload, quick);
  return fewerRuns(peer, workload) ? { ...settings, runs: peer.runs[workload] } : settings;
};
const jobsOf = (peer) =>
  only.filter((w) => !peer.only || peer.only.includes(w)).map((workload) => ({ workload, settings: settingsFor(peer, workload) }));
const tasks = [];
for (const peer of peers) {
  for (const [workload, why] of Object.entries(peer.skip ?? {})) if (only.includes(workload)) record(workload, peer.id, { skipped: why });
  if (peer.python && !numpy) {
    for (const { workload } of jobsOf(peer)) record(workload, peer.id, { skipped: 'python3 has no numpy' });
    continue;
  }
  // full runs: one process per workload (or several, their runs pooled), so that each peak RSS
  // belongs to one workload
  if (quick) tasks.push({ peer, jobs: jobsOf(peer) });
  else for (const job of jobsOf(peer)) for (let p = 0; p < (workloads[job.workload].processes ?? 1); p++) tasks.push({ peer, jobs: [job] });
}
// Full runs take one process at a time, so that peers never share the machine's two cores; the
// quick check (timings meaningless) runs two at once.
const pool = quick ? 2 : 1;
await Promise.all(
  Array.from({ length: pool }, async () => {
    for (let task = tasks.shift(); task; task = tasks.shift()) {
      const { peer, jobs } = task;
      for (const r of await runPeer(peer, jobs)) record(r.workload, peer.id, r);
      process.stderr.write(`  ${peer.name}: ${jobs.map((j) => j.workload).join(', ')} done\n`);
    }
  }),
);

const lines = [];
const rss = (r) => `${r.peakRssMB.toFixed(0)} MB`;

// W1, W2, W3: the training time of each peer, its test accuracy after it, and the ratio to scratchnet.
function trainingTable(name, rs, base) {
  const rows = ['| peer | median | min–max | peak RSS | test accuracy | time ÷ scratchnet |', '|---|---|---|---|---|---|'];
  for (const p of peers) {
    const r = rs[p.id];
    if (!r) continue;
    if (r.skipped) rows.push(`| ${p.name} | — | — | — | — | ${r.skipped} |`);
    else
      rows.push(
        `| ${p.name} | ${fmtTime(median(r.times))} | ${span(r.times, fmtTime)} | ${rss(r)} | ${(r.accuracy * 100).toFixed(2)}% | ${
          base?.times ? ratio(median(r.times) / median(base.times)) : '—'
        } |`,
      );
  }
  const fewer = peers.filter((p) => rs[p.id]?.times && fewerRuns(p, name));
  if (fewer.length)
    rows.push('', `Fewer runs where one run takes many minutes: ${fewer.map((p) => `${p.name} ${p.runs[name]}`).join(', ')}.`);
  return rows;
}

for (const name of only) {
  const w = workloads[name];
  const rs = results[name] ?? {};
  const base = rs.scratchnet;
  lines.push(`### ${w.title}`, '');
  if (name === 'W1' || name === 'W2' || name === 'W3' || name === 'W5') {
    lines.push(...trainingTable(name, rs, base));
  } else if (name === 'W4') {
    lines.push(
      '| peer | one image (median, min–max) | ÷ scratchnet | 10,000 images (median, min–max) | ÷ scratchnet | peak RSS |',
      '|---|---|---|---|---|---|',
    );
    for (const p of peers) {
      const r = rs[p.id];
      if (!r) continue;
      if (r.skipped) lines.push(`| ${p.name} | ${r.skipped} | | | | |`);
      else
        lines.push(
          `| ${p.name} | ${fmtTime(median(r.latency))} (${span(r.latency, fmtTime)}) | ${
            base?.latency ? ratio(median(r.latency) / median(base.latency)) : '—'
          } | ${fmtTime(median(r.throughput))} (${span(r.throughput, fmtTime)}) | ${
            base?.throughput ? ratio(median(r.throughput) / median(base.throughput)) : '—'
          } | ${rss(r)} |`,
        );
    }
  } else if (name === 'GEMM') {
    const gemmPeers = peers.filter((p) => rs[p.id] && !rs[p.id].skipped);
    lines.push(`| product | op | ${gemmPeers.map((p) => p.name).join(' | ')} |`, `|---|---|${gemmPeers.map(() => '---').join('|')}|`);
    const cases = base?.gemm ?? [];
    cases.forEach((c, i) => {
      const op = `${c.tA ? 'Aᵀ' : 'A'}·${c.tB ? 'Bᵀ' : 'B'}`;
      const cells = gemmPeers.map((p) => {
        const g = rs[p.id].gemm[i];
        const rate = median(g.rates);
        const peak = rs[p.id].peak?.gflops;
        const rel =
          p.id === 'scratchnet' ? (peak ? ` (${((100 * rate) / peak).toFixed(0)}% of peak)` : '') : ` (${ratio(median(c.rates) / rate)})`;
        return `${rate.toFixed(1)}${rel}`;
      });
      lines.push(`| ${c.label} | ${op} | ${cells.join(' | ')} |`);
    });
    lines.push('', 'GFLOP/s, median of runs; in brackets each peer’s time ÷ scratchnet’s.');
    const peak = rs.scratchnet?.peak;
    if (peak)
      lines.push(
        `scratchnet’s “% of peak” divides by this machine’s WebAssembly SIMD peak on one thread, measured in the same process: ${peak.gflops.toFixed(1)} GFLOP/s, by ${peak.chains} independent f32x4 multiply-add chains${peak.fused ? ' (fused, as the kernels are)' : ''} (bench/simd-peak.mjs).`,
      );
    for (const p of peers) if (rs[p.id]?.skipped) lines.push(`${p.name}: ${rs[p.id].skipped}`);
  }
  lines.push('');
}
lines.push(...goalTable());
console.log(lines.join('\n'));

// The goal in one table: each peer's time ÷ scratchnet's, on one thread and on two (above 1:
// scratchnet is faster); for GEMM the case where scratchnet leads least.
function goalTable() {
  const versus = ['tfjs-wasm', 'numpy', 'jax'].map((id) => peers.find((p) => p.id === id)).filter(Boolean);
  const ours = peers.filter((p) => p.id === 'scratchnet' || p.id === 'scratchnet-2');
  if (!versus.length || ours.length < 2) return [];
  const metrics = [
    ['W1', 'W1 one epoch', (r) => r.times],
    ['W2', 'W2 one epoch', (r) => r.times],
    ['W3', 'W3 100 steps', (r) => r.times],
    ['W5', 'W5 100 steps', (r) => r.times],
    ['W4', 'W4 one image', (r) => r.latency],
    ['W4', 'W4 10,000 images', (r) => r.throughput],
  ];
  const cell = (peer, us, workload, get) => {
    const them = results[workload]?.[peer.id];
    const mine = results[workload]?.[us.id];
    if (!them || !mine) return '—';
    if (them.skipped) return 'cannot run it';
    if (mine.skipped) return '—';
    return ratio(median(get(them)) / median(get(mine)));
  };
  const gemmCell = (peer, us) => {
    const them = results.GEMM?.[peer.id]?.gemm;
    const mine = results.GEMM?.[us.id]?.gemm;
    if (!them || !mine) return '—';
    let worst;
    mine.forEach((c, i) => {
      const r = median(c.rates) / median(them[i].rates);
      if (!worst || r < worst.r) worst = { r, label: `${c.label} ${c.tA ? 'Aᵀ' : 'A'}·${c.tB ? 'Bᵀ' : 'B'}` };
    });
    return `${ratio(worst.r)} (${worst.label})`;
  };
  const names = { numpy: 'NumPy', 'tfjs-wasm': 'tfjs-wasm', jax: 'jax-js', scratchnet: '1 thread', 'scratchnet-2': '2 threads' };
  const short = (p) => names[p.id] ?? p.id;
  const heads = versus.flatMap((p) => ours.map((u) => `${short(p)} ÷ scratchnet, ${short(u)}`));
  const rows = [
    '### Each peer’s time ÷ scratchnet’s',
    '',
    `| workload | ${heads.join(' | ')} |`,
    `|---|${heads.map(() => '---').join('|')}|`,
  ];
  for (const [workload, label, get] of metrics) {
    if (!only.includes(workload)) continue;
    rows.push(`| ${label} | ${versus.flatMap((p) => ours.map((u) => cell(p, u, workload, get))).join(' | ')} |`);
  }
  if (only.includes('GEMM'))
    rows.push(`| GEMM, least of its cases | ${versus.flatMap((p) => ours.map((u) => gemmCell(p, u))).join(' | ')} |`);
  rows.push('', 'Above 1: scratchnet is faster.', '');
  return rows;
}
