import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Rng } from '../../src/tensor/rng.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { repoRoot } from '../helpers/fixtures.js';
import { serveFolder } from '../helpers/static-server.js';

// The library as a browser loads it without a bundler: dist/src as ES modules, the kernels fetched
// from dist/wasm, helper threads started by useWebThreads from dist/src/tensor/web-helper.js.

/** Each transpose case of two products big enough to be split (m·n·k ≥ 2²⁰), on `threads` threads. */
async function products(page: Page, threads: number): Promise<{ threads: number; products: number[][]; error?: string }> {
  return page.evaluate(async (threads) => {
    const entry = '/dist/src/index.js';
    const lib = await import(entry);
    const bytes = await (await fetch('/dist/wasm/kernels-shared.wasm')).arrayBuffer();
    const kernels = lib.useWasm(bytes, { shared: true });
    try {
      await lib.useWebThreads(kernels, threads);
    } catch (error) {
      return { threads: kernels.threads, products: [], error: (error as Error).message };
    }
    const rng = new lib.Rng(11);
    const random = (size: number) => Float32Array.from({ length: size }, () => rng.normal());
    const products: number[][] = [];
    for (const [m, n, k] of [
      [203, 67, 129],
      [100, 50, 784],
    ]) {
      const a = random(m * k);
      const b = random(k * n);
      const bias = random(n);
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        const c = new Float32Array(m * n);
        kernels.gemm({ a, b, c, m, n, k, transA, transB, bias });
        products.push(Array.from(c));
      }
    }
    const used = kernels.threads;
    kernels.detachHelpers();
    return { threads: used, products };
  }, threads);
}

describe('threads in Chromium', { skip: skipWithoutChromium }, () => {
  let browser: Browser;
  const servers: { close(): void }[] = [];

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) server.close();
  });

  async function open(isolated: boolean): Promise<Page & { errors: string[] }> {
    const { url, server } = await serveFolder(repoRoot, { isolated });
    servers.push(server);
    const page = (await browser.newPage()) as Page & { errors: string[] };
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.goto(`${url}/test/fixtures/blank.html`);
    return page;
  }

  test('useWebThreads on a cross-origin-isolated page: two threads, the same floats as one', async () => {
    const page = await open(true);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const one = await products(page, 1);
    const two = await products(page, 2);
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2, two.error);
    assert.equal(two.products.length, 8);
    // a helper that never served its rows would have left the caller spinning: these finished
    assert.deepEqual(two.products, one.products);
    // and they are the products: the first case against float64 sums of the same operands
    const rng = new Rng(11);
    const [m, n, k] = [203, 67, 129];
    const a = Float32Array.from({ length: m * k }, () => rng.normal());
    const b = Float32Array.from({ length: k * n }, () => rng.normal());
    const bias = Float32Array.from({ length: n }, () => rng.normal());
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias[j];
        for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
        assert.ok(Math.abs(two.products[0][i * n + j] - sum) < 1e-4 * Math.sqrt(k), `c[${i}][${j}]`);
      }
    }
    const three = await products(page, 3);
    assert.deepEqual(three.products, one.products);
    assert.deepEqual(page.errors, []);
  });

  test('loadWasm: one awaited call gives the kernels the page can use, and float32 nets train on them', async () => {
    for (const isolated of [false, true]) {
      const page = await open(isolated);
      const result = await page.evaluate(async () => {
        const entry = '/dist/src/index.js';
        const lib = await import(entry);
        const kernels = await lib.loadWasm();
        const net = new lib.TwoLayerNet(4, 3, 2, 0.5, 'relu', { rng: new lib.Rng(1), dtype: 'float32' });
        const x = new lib.Tensor(new Float32Array([1, 0, 2, 1, 0, 1, 1, 3]), [2, 4]);
        const t = new lib.Tensor(new Float32Array([1, 0, 0, 1]), [2, 2]);
        const sgd = new lib.SGD(0.5);
        const before = net.loss(x, t);
        for (let i = 0; i < 20; i++) sgd.update(net.params, net.gradient(x, t));
        let missing = '';
        try {
          await lib.loadWasm('/no/such/kernels.wasm');
        } catch (error) {
          missing = (error as Error).message;
        }
        return {
          shared: kernels.shared,
          backend: lib.kernelsFor(new Float32Array(1)) === kernels && lib.getBackend() === 'wasm',
          before,
          after: net.loss(x, t),
          missing,
        };
      });
      assert.equal(result.shared, isolated);
      assert.equal(result.backend, true);
      assert.ok(result.after < result.before, JSON.stringify(result));
      assert.match(result.missing, /cannot fetch the wasm kernels from .*\/no\/such\/kernels\.wasm: HTTP 404/);
      assert.deepEqual(page.errors, []);
    }
  });

  test('useWebThreads on a page that is not isolated says what it needs', async () => {
    const page = await open(false);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const error = await page.evaluate(async () => {
      const entry = '/dist/src/index.js';
      const lib = await import(entry);
      const bytes = await (await fetch('/dist/wasm/kernels.wasm')).arrayBuffer();
      const kernels = lib.useWasm(bytes, { shared: false });
      const messages: string[] = [];
      for (const threads of [2, 0]) {
        try {
          await lib.useWebThreads(kernels, threads);
          messages.push(`${threads}: no error`);
        } catch (e) {
          messages.push((e as Error).message);
        }
      }
      return messages;
    });
    assert.match(error[0], /not cross-origin isolated, expected .*Cross-Origin-Opener-Policy: same-origin/);
    assert.equal(error[1], 'threads is 0, expected a whole number from 1 to 64');
    assert.deepEqual(page.errors, []);
  });
});
