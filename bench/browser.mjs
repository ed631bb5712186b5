// `npm run bench:browser [-- --quick] [-- --runs 5]`: the training page (web/dist, built by
// `npm run build:web`) in Chromium, one epoch of its TwoLayerNet 784-50-10 (Relu, SGD lr 0.1, batch
// 100: 600 steps, then the accuracy on 10,000 training and 10,000 test images) on each engine the
// page offers: the plain JavaScript kernels (float64), and the WebAssembly SIMD kernels (float32) on
// one thread and on two (Web Workers over a shared memory, the page cross-origin isolated). The
// time is the page's own (its status line): the epoch's steps and accuracies, in the training
// worker, without the pauses between its 40 ms chunks; a fresh page each run. Prints a Markdown
// table with the plain JavaScript kernels' time divided by each engine's. --quick: one run each;
// --hidden N: 784-N-10.
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
const { url, server } = await serveFolder(site, { isolated: true });
const browser = await launchChromium();
const version = browser.version();
const rows = [];
try {
  for (const engine of ENGINES) {
    const times = [];
    let accuracy;
    for (let r = 0; r < runs; r++) {
      const page = await browser.newPage();
      await page.goto(`${url}/train.html${engine.query}`);
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
