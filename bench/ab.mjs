// `node bench/ab.mjs OTHER [rounds]`: W1's training loop (600 steps of TwoLayerNet 784-50-10 sigmoid,
// float32, WebAssembly SIMD, one thread) on this checkout's build and on another's (OTHER: a built
// checkout of another commit, e.g. `git worktree add /tmp/old 6da7cd8 && cd /tmp/old && npm ci`),
// in one process, the two alternated round after round, so that the machine's slow spells fall on
// both alike. Prints each build's median, minimum and maximum.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [other, roundsArg] = process.argv.slice(2);
if (!other) throw new Error('usage: node bench/ab.mjs OTHER_CHECKOUT [rounds]');
const rounds = Number(roundsArg ?? 20);
const builds = { this: resolve(import.meta.dirname, '..'), other: resolve(other) };
const load = async (root) => {
  const dist = (path) => pathToFileURL(join(root, 'dist', 'src', path)).href;
  const lib = await import(dist('index.js'));
  // the wasm loader moved from io/node/ to backend/node/
  const wasm = existsSync(join(root, 'dist', 'src', 'backend', 'node', 'wasm.js')) ? 'backend/node/wasm.js' : 'io/node/wasm.js';
  (await import(dist(wasm))).loadWasmBackend();
  const train = (await import(dist('io/node/mnist-files.js'))).loadMnistSet('train');
  return { lib, train };
};
const libs = { this: await load(builds.this), other: await load(builds.other) };

function epoch({ lib, train }) {
  lib.setBackend('wasm');
  const order = new lib.Rng(1).permutation(train.count);
  const net = new lib.TwoLayerNet(784, 50, 10, 0.01, 'sigmoid', { rng: new lib.Rng(1), dtype: 'float32' });
  const x = lib.Tensor.zeros([100, 784], 'float32');
  const t = lib.Tensor.zeros([100, 10], 'float32');
  const sgd = new lib.SGD(0.1);
  const start = performance.now();
  for (let i = 0; i < 600; i++) {
    lib.fillBatch(train, order.subarray(i * 100, (i + 1) * 100), x, t);
    sgd.update(net.params, net.gradient(x, t));
  }
  return performance.now() - start;
}

const times = { this: [], other: [] };
for (let r = 0; r < 3; r++) for (const k of ['this', 'other']) epoch(libs[k]); // warm
for (let r = 0; r < rounds; r++) for (const k of r % 2 ? ['other', 'this'] : ['this', 'other']) times[k].push(epoch(libs[k]));
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`| build | median | min–max (${rounds} epochs each) |\n|---|---|---|`);
for (const k of ['this', 'other'])
  console.log(
    `| ${k} (${builds[k]}) | ${median(times[k]).toFixed(1)} ms | ${Math.min(...times[k]).toFixed(1)}–${Math.max(...times[k]).toFixed(1)} ms |`,
  );
