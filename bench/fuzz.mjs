// `node bench/fuzz.mjs [runs]`: how long the loaders take on broken input — the slowest of `runs`
// (default 2,000) truncated, bit-flipped, overwritten and random files per loader, and the median —
// so that an input that makes a loader slow shows up here, measured, rather than as a timing
// assertion in test/io/fuzz.test.ts (which checks what every input gives).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFromJSON, modelFromSafetensors, modelToSafetensors, parseIdx, Rng, TwoLayerNet } from '../dist/src/index.js';
import { decodePng, modelFromOnnx, modelJSONFromBytes } from '../dist/src/node.js';

const runs = Number(process.argv[2] ?? 2000);
const rng = new Rng(1);
const net = new TwoLayerNet(4, 3, 2, 0.5, 'sigmoid', { rng: new Rng(1) });
const fixture = (...p) => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', ...p)));

// one broken copy of a good file: truncated, bits flipped, a patch of 0xff, or noise
function broken(seed) {
  const b = seed.slice();
  const kind = rng.int(4);
  if (kind === 0) return b.subarray(0, rng.int(b.length));
  if (kind === 1) for (let i = 0; i < 8; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
  if (kind === 2) b.fill(0xff, rng.int(b.length), rng.int(b.length) + 1 + rng.int(8));
  if (kind === 3) return Uint8Array.from({ length: rng.int(512) }, () => rng.int(256));
  return b;
}

const loaders = [
  ['safetensors', [modelToSafetensors(net)], (b) => modelFromSafetensors(b)],
  ['model JSON text', [new TextEncoder().encode(JSON.stringify(net.toJSON()))], (b) => modelJSONFromBytes(b)],
  ['ONNX', [fixture('onnx', 'torch-mlp.onnx')], (b) => modelFromJSON(modelFromOnnx(b))],
  ['PNG', ['filter-4.png', 'digit-rgba.png'].map((n) => fixture('png', n)), (b) => decodePng(b)],
  ['IDX', [Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 3, 1, 7, 9)], (b) => parseIdx(b)],
];
console.log(`| loader | inputs | median | slowest |\n|---|---|---|---|`);
for (const [name, seeds, load] of loaders) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const input = broken(seeds[i % seeds.length]);
    const start = performance.now();
    try {
      load(input);
    } catch {}
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const ms = (t) => `${t.toFixed(3)} ms`;
  console.log(`| ${name} | ${runs} | ${ms(times[runs >> 1])} | ${ms(times[runs - 1])} |`);
}
