import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipWithoutChromium } from './helpers/browser.js';
import { repoRoot } from './helpers/fixtures.js';

// The benchmark's quick version, so that its code cannot rot; its timings mean nothing and are not checked.
test('npm run bench -- --quick runs every workload for every peer', () => {
  const out = execFileSync(process.execPath, [join(repoRoot, 'bench', 'run.mjs'), '--quick'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  for (const title of ['### W1', '### W2', '### W3', '### W4', '### W5', '### GEMM'])
    assert.match(out, new RegExp(title), `no ${title} table in\n${out}`);
  assert.doesNotMatch(out, /failed/, out);
  for (const peer of [
    'scratchnet (wasm, float32)',
    'scratchnet (wasm, float32, 2 threads)',
    'tfjs-backend-wasm',
    'tfjs cpu',
    'ConvNetJS',
    'brain.js',
    'jax-js (wasm)',
  ])
    assert.match(out, new RegExp(peer.replace(/[()]/g, '\\$&')));
  // W3 on tfjs-backend-wasm is the one workload a peer cannot run, and the table says why
  assert.match(out, /tfjs-backend-wasm \| — .*no Conv2DBackpropFilter kernel/);
  // the GEMM table's distance to the machine's limit
  assert.match(out, /\| \d+\.\d \(\d+% of peak\) \|/);
  assert.match(out, /WebAssembly SIMD peak on one thread, measured in the same process: \d+\.\d GFLOP\/s/);
});

test('npm run bench:browser -- --quick trains the page on each engine, times products on 1 and 2 threads', {
  skip: skipWithoutChromium,
}, () => {
  const out = execFileSync(process.execPath, [join(repoRoot, 'bench', 'browser.mjs'), '--quick'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  assert.match(out, /### The training page in Chromium/);
  for (const engine of ['WebAssembly SIMD, float32, 2 threads', 'WebAssembly SIMD, float32, 1 thread', 'plain JavaScript, float64'])
    assert.match(out, new RegExp(`\\| ${engine.replace(/[()]/g, '\\$&')}.* \\| 9\\d\\.\\d\\d% \\|`), out);
  for (const product of ['(100×784)·(784×50)', '512³'])
    assert.match(out, new RegExp(`\\| ${product.replace(/[()]/g, '\\$&')} \\| \\d+ \\| \\d+ \\| [0-9.]+× \\|`), out);
});
