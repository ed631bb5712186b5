import { formatNumber } from '../../src/explain/format.js';
import { lineChart, smooth } from '../../src/train/plot.js';
import { drawable, toMnist } from './digit.js';
import { onLanguage, setupLanguage, t } from './i18n.js';
import type { Engine, FromWorker, ToWorker } from './messages.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

const losses: number[] = [];
const epochs: { epoch: number; iteration: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number }[] = [];
let state: 'loading' | 'ready' | 'running' | 'paused' | 'done' = 'loading';
let lastStatus = '';
let probabilities: number[] | undefined;
let engine: Engine | undefined;

const number = (id: string, fallback: number): number => {
  const v = Number(($(id) as HTMLInputElement).value);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

function renderButtons(): void {
  ($('start') as HTMLButtonElement).disabled = state === 'loading' || state === 'running';
  ($('start') as HTMLButtonElement).textContent = state === 'paused' ? t('resume') : t('start');
  ($('pause') as HTMLButtonElement).disabled = state !== 'running';
  ($('reset') as HTMLButtonElement).disabled = state === 'loading';
  for (const id of ['hidden', 'lr', 'batch', 'epochs']) ($(id) as HTMLInputElement).disabled = state === 'running' || state === 'paused';
}

let chartsPending = false;
function renderCharts(): void {
  if (chartsPending) return;
  chartsPending = true;
  requestAnimationFrame(() => {
    chartsPending = false;
    const window = Math.max(1, Math.round(losses.length / 150));
    $('loss-chart').innerHTML = lineChart([{ label: t('loss'), color: '#1f77b4', points: smooth(losses, window) }], {
      title: t('loss'),
      xLabel: t('iteration'),
      yLabel: t('loss'),
      yMin: 0,
    });
    $('accuracy-chart').innerHTML = lineChart(
      [
        { label: t('trainAccuracy'), color: '#2ca02c', points: epochs.map((r) => [r.epoch, r.trainAccuracy]) },
        { label: t('testAccuracy'), color: '#d62728', points: epochs.map((r) => [r.epoch, r.testAccuracy]) },
      ],
      { title: t('accuracy'), xLabel: t('epoch'), yLabel: t('accuracy'), yMin: 0.8, yMax: 1, xMax: number('epochs', 5), legend: 'bottom' },
    );
  });
}

function renderStatus(): void {
  const last = epochs[epochs.length - 1];
  const parts = [`${t('iteration')} ${losses.length}`];
  if (losses.length) parts.push(`${t('loss')} ${formatNumber(losses[losses.length - 1], 4)}`);
  if (last) {
    parts.push(`${t('epoch')} ${last.epoch} (${last.seconds.toFixed(2)} s)`, `${t('trainAccuracy')} ${(last.trainAccuracy * 100).toFixed(2)}%`, `${t('testAccuracy')} ${(last.testAccuracy * 100).toFixed(2)}%`);
    $('status').dataset.epoch = String(last.epoch);
    $('status').dataset.testAccuracy = String(last.testAccuracy);
    $('status').dataset.seconds = String(last.seconds);
  }
  const text = state === 'ready' && losses.length === 0 ? lastStatus : parts.join(' · ');
  $('status').textContent = text;
}

/** What the training runs on: the kernels and how many threads share their products. */
function renderEngine(): void {
  const line = $('engine');
  if (!engine) return void (line.textContent = '');
  line.dataset.kernels = engine.kernels;
  line.dataset.threads = String(engine.threads);
  line.textContent = `${t(engine.kernels === 'wasm' ? 'kernelsWasm' : 'kernelsJs')} · ${t('threadCount')}: ${engine.threads}`;
}

function renderBars(): void {
  const box = $('bars');
  if (!probabilities) return void (box.innerHTML = '');
  const best = probabilities.indexOf(Math.max(...probabilities));
  box.innerHTML = `<p><strong>${t('prediction')}: <span id="predicted">${best}</span></strong></p>${probabilities
    .map(
      (p, digit) =>
        `<div class="bar${digit === best ? ' best' : ''}" data-digit="${digit}" data-probability="${p}"><span>${digit}</span><div class="fill" style="width:${(p * 100).toFixed(1)}%"></div><span>${(p * 100).toFixed(1)}%</span></div>`,
    )
    .join('')}`;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === 'loading') {
    ($('load-progress') as HTMLProgressElement).value = m.total ? m.loaded / m.total : 0;
  } else if (m.type === 'ready') {
    state = 'ready';
    $('loading').hidden = true;
    lastStatus = t('ready');
    engine = m.engine;
    renderButtons();
    renderStatus();
    renderEngine();
  } else if (m.type === 'iterations') {
    losses.push(...m.losses);
    renderStatus();
    renderCharts();
  } else if (m.type === 'epoch') {
    epochs.push(m);
    renderStatus();
    renderCharts();
  } else if (m.type === 'done') {
    state = 'done';
    renderButtons();
  } else if (m.type === 'prediction') {
    probabilities = m.probabilities;
    renderBars();
  } else if (m.type === 'error') {
    $('status').textContent = m.message;
  }
};

$('start').addEventListener('click', () => {
  if (state === 'done') {
    losses.length = 0;
    epochs.length = 0;
  }
  state = 'running';
  renderButtons();
  $('hidden-echo').textContent = String(number('hidden', 50));
  send({ type: 'start', settings: { hidden: number('hidden', 50), lr: number('lr', 0.1), batchSize: number('batch', 100), epochs: number('epochs', 5), seed: 0 } });
});
$('pause').addEventListener('click', () => {
  state = 'paused';
  send({ type: 'pause' });
  renderButtons();
});
$('reset').addEventListener('click', () => {
  state = 'ready';
  losses.length = 0;
  epochs.length = 0;
  send({ type: 'reset' });
  renderButtons();
  renderStatus();
  renderCharts();
});

const canvas = $('digit') as HTMLCanvasElement;
let predictPending = false;
const clearCanvas = drawable(canvas, () => {
  if (predictPending) return;
  predictPending = true;
  requestAnimationFrame(() => {
    predictPending = false;
    const pixels = toMnist(canvas);
    if (pixels) send({ type: 'predict', pixels });
  });
});
$('clear').addEventListener('click', () => {
  clearCanvas();
  probabilities = undefined;
  renderBars();
});

// ?kernels=js trains on the plain JavaScript kernels, ?threads=n on n threads (at most 4)
const query = new URLSearchParams(location.search);
const threads = Math.floor(Number(query.get('threads')));
send({
  type: 'load',
  base: new URL('./mnist/', location.href).href,
  engine: { kernels: query.get('kernels') === 'js' ? 'js' : 'wasm', threads: threads >= 1 ? threads : undefined },
});
setupLanguage();
onLanguage(() => {
  renderButtons();
  renderStatus();
  renderEngine();
  renderCharts();
  renderBars();
});
