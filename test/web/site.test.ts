import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SEED_DATA, SEED_MODEL } from '../../src/explain/seed-example.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { repoRoot } from '../helpers/fixtures.js';
import { serveFolder } from '../helpers/static-server.js';

const site = join(repoRoot, 'web', 'dist');
const artifacts = join(repoRoot, 'test-artifacts');

describe('the site in Chromium', { skip: skipWithoutChromium }, () => {
  let browser: Browser;
  let url: string;
  let close: () => void;

  before(async () => {
    assert.ok(existsSync(join(site, 'index.html')), 'web/dist is missing: npm run build:web');
    // cross-origin isolated, as `npm run web` serves it: the training worker may use helper threads
    const served = await serveFolder(site, { isolated: true });
    url = served.url;
    close = () => served.server.close();
    browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    close?.();
  });

  async function open(path: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/${path}`);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  }

  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();

  test('the explorer shows the seed’s loss and dW2, and follows an edit of W2[0][0]', async () => {
    const page = await open('index.html');
    assert.equal(await text(page, '#loss'), '0.6316');
    assert.equal(await text(page, '#grad-dW2-0-0'), '−0.3329');
    await page.screenshot({ path: join(artifacts, 'explorer.png'), fullPage: true });
    await page.fill('#in-W2-0-0', '0.6');
    const edited = JSON.parse(JSON.stringify(SEED_MODEL));
    edited.layers[2].W[0][0] = 0.6;
    const dir = join(tmpdir(), 'scratchnet-site');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(edited));
    writeFileSync(join(dir, 'data.json'), JSON.stringify(SEED_DATA));
    const cli = spawnSync(
      process.execPath,
      [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'grad', join(dir, 'model.json'), '--data', join(dir, 'data.json')],
      { encoding: 'utf8' },
    );
    const expected = JSON.parse(cli.stdout).loss as number;
    assert.equal(await text(page, '#loss'), expected.toFixed(4));
    assert.notEqual(expected.toFixed(4), '0.6316');
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
  });

  test('an SGD step lowers the loss to 0.5501', async () => {
    const page = await open('index.html');
    await page.click('#sgd');
    assert.equal(await text(page, '#loss'), '0.5501');
    assert.equal(await text(page, '#history'), '0.6316 → 0.5501');
  });

  test('step-through walks the 13 steps with the keyboard, rendering each formula', async () => {
    const page = await open('index.html');
    assert.match(await text(page, '#step-name'), /^1 \/ 13 .* z1$/);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.match(await text(page, '#step-name'), /^3 \/ 13 .* z2$/);
    assert.ok(await page.$('#step-math .katex'), 'KaTeX rendered the formula');
    assert.equal(await page.getAttribute('.node.active', 'data-node'), 'Affine#3');
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    assert.match(await text(page, '#step-name'), /13 \/ 13 .* dx$/);
    await page.screenshot({ path: join(artifacts, 'explorer-step.png') });
  });

  test('check my work: the seed note’s values show its two missing transposes', async () => {
    const page = await open('index.html');
    await page.click('#load-seed');
    assert.equal(await page.getAttribute('tr[data-step="da1"]', 'data-diagnosis'), 'missing-transpose');
    assert.equal(await page.getAttribute('tr[data-step="dx"]', 'data-diagnosis'), 'missing-transpose');
    assert.equal(await page.getAttribute('tr[data-step="dz1"]', 'data-status'), 'carried');
    assert.equal(await text(page, '#summary'), '6 ok, 3 carried, 4 wrong');
    await page.screenshot({ path: join(artifacts, 'explorer-check.png'), fullPage: true });
  });

  test('한국어 switches every label', async () => {
    const page = await open('index.html');
    await page.click('button[data-lang="ko"]');
    assert.equal(await text(page, 'h1 [data-i18n]'), '역전파 탐색기');
    await page.click('#next');
    assert.match(await text(page, '#step-name'), /순전파/);
    for (let i = 0; i < 6; i++) await page.click('#next');
    assert.match(await text(page, '#step-name'), /역전파/);
    await page.screenshot({ path: join(artifacts, 'explorer-ko.png'), fullPage: true });
    await page.click('button[data-lang="en"]');
  });

  test('readable at phone width: the graph stands vertically, nothing overflows the page', async () => {
    const page = await open('index.html', 390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: join(artifacts, 'explorer-phone.png'), fullPage: true });
  });

  test('training in the page reaches 88% while the page answers clicks; a drawn digit is predicted', async () => {
    const page = await open('train.html');
    await page.waitForSelector('#start:not([disabled])', { timeout: 60000 });
    // WebAssembly SIMD on one thread fewer than the browser has cores (the page keeps one), up to 4
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(await page.getAttribute('#engine', 'data-kernels'), 'wasm');
    assert.equal(Number(await page.getAttribute('#engine', 'data-threads')), Math.max(1, Math.min(cores - 1, 4)));
    await page.fill('#epochs', '5');
    await page.click('#start');
    // While the worker trains, the page still answers: switch the language, then see the worker's
    // progress go on in Korean. A page frozen by training would take the click only once training
    // was over, and no progress would follow it.
    const shown = (label: string) =>
      page.evaluate((l) => Number(new RegExp(`${l} (\\d+)`).exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1), label);
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').includes('iteration'), undefined, {
      timeout: 20000,
    });
    await page.click('button[data-lang="ko"]');
    assert.equal(await text(page, 'h1 [data-i18n]'), 'MNIST 학습');
    const atClick = await shown('반복');
    assert.ok(atClick > 0, 'the status speaks Korean');
    await page.waitForFunction(
      (n) => Number(/반복 (\d+)/.exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1) > n,
      atClick,
      { timeout: 20000 },
    );
    assert.notEqual(await page.getAttribute('#status', 'data-epoch'), '5', 'training went on after the click');
    await page.click('button[data-lang="en"]');
    await page.waitForSelector('#status[data-epoch="5"]', { timeout: 180000 });
    const accuracy = Number(await page.getAttribute('#status', 'data-test-accuracy'));
    assert.ok(accuracy >= 0.88, `test accuracy ${accuracy}`);
    await page.screenshot({ path: join(artifacts, 'train.png'), fullPage: true });

    const box = await page.locator('#digit').boundingBox();
    assert.ok(box);
    // a "7": a stroke across the top, then down to the lower left
    await page.mouse.move(box.x + 80, box.y + 70);
    await page.mouse.down();
    for (const [x, y] of [
      [140, 68],
      [200, 70],
      [180, 130],
      [150, 190],
      [125, 235],
    ])
      await page.mouse.move(box.x + x, box.y + y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('#bars .bar', { timeout: 10000 });
    const probabilities = await page.$$eval('#bars .bar', (bars) => bars.map((b) => Number((b as HTMLElement).dataset.probability)));
    assert.equal(probabilities.length, 10);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    await page.screenshot({ path: join(artifacts, 'train-digit.png'), fullPage: true });
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
  });

  test('training on two threads (a helper Web Worker of the training worker) gives the same epoch as one', async () => {
    const epoch = async (threads: number) => {
      const page = await open(`train.html?threads=${threads}`);
      await page.waitForSelector('#start:not([disabled])', { timeout: 60000 });
      assert.equal(await page.getAttribute('#engine', 'data-threads'), String(threads));
      await page.fill('#epochs', '1');
      await page.click('#start');
      await page.waitForSelector('#status[data-epoch="1"]', { timeout: 180000 });
      const status = await text(page, '#status');
      assert.deepEqual((page as Page & { errors: string[] }).errors, []);
      await page.close();
      // the same floats whatever the threads: only the epoch's time may differ
      return status.replace(/ \([0-9.]+ s\)/, '');
    };
    const two = await epoch(2);
    assert.match(two, /epoch 1 · train accuracy 9\d\.\d\d% · test accuracy 9\d\.\d\d%/);
    assert.equal(two, await epoch(1));
  });

  test('served without cross-origin isolation, the training page runs its kernels on one thread', async () => {
    const plain = await serveFolder(site);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${plain.url}/train.html`);
      await page.waitForSelector('#start:not([disabled])', { timeout: 60000 });
      assert.equal(await page.getAttribute('#engine', 'data-kernels'), 'wasm');
      assert.equal(await page.getAttribute('#engine', 'data-threads'), '1');
      assert.match(await text(page, '#engine'), /^WebAssembly SIMD kernels, float32 · threads: 1$/);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      plain.server.close();
    }
  });
});
