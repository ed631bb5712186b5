// `npm run bench:browser [-- --quick] [-- --runs 5]`: the training page (web/dist, built by
// `npm run build:web`) in Chromium, one epoch of its TwoLayerNet 784-50-10 (Relu, SGD lr 0.1, batch
// 100: 600 steps, then the accuracy on 10,000 training and 10,000 test images) on each engine the
// page offers: the plain JavaScript kernels (float64), and the WebAssembly SIMD kernels (float32) on
// one thread and on two (Web Workers over a shared memory, the page cross-origin isolated). The
// time is the page's own (its status line): the epoch's steps and accuracies, in the training
// worker, without the pauses between its 40 ms chunks; a fresh page each run. Prints a Markdown
// table with the plain JavaScript kernels' time divided by each engine's. Then, without a page to
// draw: float32 products on a blank isolated page, called from its main thread, on one thread and
// on two (median of five timings of a loop of calls, after a warm-up). --quick: one run each, short
// loops; --hidden N: 784-N-10.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../dist/test/helpers/browser.js';
import { repoRoot } from '../dist/test/helpers/fixtures.js';
import { serveFolder } from '../dist/test/helpers/static-server.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runsAt = args.indexOf('--runs');
const runs = quick ? 1 : runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const hiddenAt = args.indexOf('--hidden');
const hidden = hiddenAt >= 0 ? Number(args[hiddenAt + 1]) : 50;
const site = join(repoRoot, 'web', 'dist');
if (!existsSync(join(site, 'train.html'))) {
  console.error('bench:browser: web/dist/train.html is missing, expected the site built first (npm run build:web)');
  process.exit(2);
}

const ENGINES = [
  { name: 'WebAssembly SIMD, float32, 2 threads', query: '?threads=2', threads: 2 },
  { name: 'WebAssembly SIMD, float32, 1 thread', query: '?threads=1', threads: 1 },
  { name: 'plain JavaScript, float64 (1 thread)', query: '?kernels=js', threads: 1 },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// In the page: µs per call of each product on 1 and 2 threads, the caller being the main thread.
async function timeProducts(quick) {
  const entry = '/dist/src/index.js';
  const lib = await import(entry);
  const kernels = lib.useWasm(await (await fetch('/dist/wasm/kernels-shared.wasm')).arrayBuffer(), { shared: true });
  const rng = new lib.Rng(3);
  // operands in the kernels' memory, used where they are
  const random = (size) => {
    const array = kernels.float32(size);
    for (let i = 0; i < size; i++) array[i] = rng.uniform() * 2 - 1;
    return array;
  };
  const out = [];
  for (const [label, m, n, k, calls] of [
    ['(100×784)·(784×50)', 100, 50, 784, 500],
    ['512³', 512, 512, 512, 10],
  ]) {
    const a = random(m * k);
    const b = random(k * n);
    const c = kernels.float32(m * n);
    const reps = quick ? 1 : calls;
    const perCall = {};
    for (const threads of [1, 2]) {
      await lib.useWebThreads(kernels, threads);
      const times = [];
      for (let t = 0; t < (quick ? 2 : 6); t++) {
        const start = performance.now();
        for (let i = 0; i < reps; i++) kernels.gemm({ a, b, c, m, n, k });
        if (t > 0) times.push(((performance.now() - start) / reps) * 1000);
      }
      perCall[threads] = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
    }
    kernels.detachHelpers();
    out.push({ label, one: perCall[1], two: perCall[2] });
  }
  return out;
}
const { url, server } = await serveFolder(repoRoot, { isolated: true });
const browser = await launchChromium();
const version = browser.version();
const rows = [];
let products;
try {
  for (const engine of ENGINES) {
    const times = [];
    let accuracy;
    for (let r = 0; r < runs; r++) {
      const page = await browser.newPage();
      await page.goto(`${url}/web/dist/train.html${engine.query}`);
      await page.waitForSelector('#start:not([disabled])', { timeout: 120000 });
      const threads = Number(await page.getAttribute('#engine', 'data-threads'));
      if (threads !== engine.threads) throw new Error(`${engine.name}: the page trains on ${threads} threads`);
      await page.fill('#epochs', '1');
      await page.fill('#hidden', String(hidden));
      await page.click('#start');
      await page.waitForSelector('#status[data-epoch="1"]', { timeout: 600000 });
      times.push(Number(await page.getAttribute('#status', 'data-seconds')));
      accuracy = Number(await page.getAttribute('#status', 'data-test-accuracy'));
      await page.close();
    }
    rows.push({ ...engine, times, accuracy });
  }
  const page = await browser.newPage();
  await page.goto(`${url}/test/fixtures/blank.html`);
  products = await page.evaluate(timeProducts, quick);
} finally {
  await browser.close();
  server.close();
}

const base = median(rows[rows.length - 1].times);
console.log(`### The training page in Chromium ${version}: one epoch of 784-${hidden}-10, seconds (median of ${runs})\n`);
console.log('| engine | median | min–max | plain JS ÷ this | test accuracy |');
console.log('|---|---|---|---|---|');
for (const row of rows) {
  const m = median(row.times);
  console.log(
    `| ${row.name} | ${m.toFixed(2)} | ${Math.min(...row.times).toFixed(2)}–${Math.max(...row.times).toFixed(2)} | ${(base / m).toFixed(2)}× | ${(row.accuracy * 100).toFixed(2)}% |`,
  );
}

console.log('\n### Products without a page to draw: a blank isolated page, its main thread calling, µs a call\n');
console.log('| product | 1 thread | 2 threads | 1 thread ÷ 2 threads |');
console.log('|---|---|---|---|');
for (const p of products) console.log(`| ${p.label} | ${p.one.toFixed(0)} | ${p.two.toFixed(0)} | ${(p.one / p.two).toFixed(2)}× |`);
