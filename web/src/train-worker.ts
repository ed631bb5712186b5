/// <reference lib="webworker" />
// Trains the book's TwoLayerNet on MNIST off the page's thread, in chunks, so that the page
// never freezes and pause, reset and predictions are answered between chunks.
import { useWasm } from '../../src/backend/wasm/kernels.js';
import { hasRelaxedSimd } from '../../src/backend/wasm/load.js';
import { useWebThreads } from '../../src/backend/wasm/web-threads.js';
import { MNIST_CLASSES, type MnistSet, mnistFromIdx, subset } from '../../src/data/mnist.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/tensor/rng.js';
import { type DType, Tensor } from '../../src/tensor/tensor.js';
import { Trainer } from '../../src/train/trainer.js';
import kernelsUrl from '../../dist/wasm/kernels.wasm?url';
import fmaKernelsUrl from '../../dist/wasm/kernels-fma.wasm?url';
import fmaSharedKernelsUrl from '../../dist/wasm/kernels-fma-shared.wasm?url';
import sharedKernelsUrl from '../../dist/wasm/kernels-shared.wasm?url';
import type { Engine, EngineRequest, FromWorker, ToWorker, TrainSettings } from './messages.js';

const post = (message: FromWorker): void => (self as unknown as Worker).postMessage(message);

/** The most threads the page trains on: beyond a few, W1's products are too small to share. */
const MAX_THREADS = 4;

let dtype: DType = 'float64';
let train: MnistSet | undefined;
let test: MnistSet | undefined;
let session: Session | undefined;

interface Session {
  settings: TrainSettings;
  net: TwoLayerNet;
  trainer: Trainer;
  /** The trainer's seconds (training and evaluating, not paused, not yielding) when this epoch began. */
  epochStart: number;
  running: boolean;
}

/**
 * Fetches one gzip-compressed IDX file, counting bytes as they arrive. Servers that send it with
 * `Content-Encoding: gzip` (Vite's dev server does) have it decompressed by the browser already:
 * only data that still starts with gzip's magic number is decompressed here.
 */
async function fetchIdx(url: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
  const bytes = new Uint8Array(await new Response(response.body.pipeThrough(counter)).arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const gunzip = new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(gunzip)).arrayBuffer());
}

/**
 * The WebAssembly SIMD kernels (float32), on helper threads too when the page is cross-origin
 * isolated (it can then share their memory): one thread fewer than the cores, so that the page's
 * own thread (the charts) keeps one, up to MAX_THREADS, or as many as asked. The plain JavaScript
 * kernels (float64) when asked, or in a browser without WebAssembly SIMD. The module built with
 * relaxed SIMD (fused multiply-adds) where the browser has it.
 */
async function loadKernels(request: EngineRequest): Promise<Engine> {
  if (request.kernels === 'js') return { kernels: 'js', threads: 1 };
  const isolated = self.crossOriginIsolated;
  let kernels: ReturnType<typeof useWasm>;
  try {
    const fma = hasRelaxedSimd();
    const url = fma ? (isolated ? fmaSharedKernelsUrl : fmaKernelsUrl) : isolated ? sharedKernelsUrl : kernelsUrl;
    kernels = useWasm(await (await fetch(url)).arrayBuffer(), { shared: isolated });
  } catch {
    return { kernels: 'js', threads: 1 };
  }
  dtype = 'float32';
  const threads = Math.max(1, Math.min(request.threads ?? (navigator.hardwareConcurrency || 1) - 1, MAX_THREADS));
  if (isolated && threads > 1) await useWebThreads(kernels, threads);
  return { kernels: 'wasm', threads: kernels.threads };
}

async function load(base: string, request: EngineRequest): Promise<void> {
  const engine = loadKernels(request);
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const sizes = await Promise.all(names.map(async (n) => Number((await fetch(`${base}${n}.gz`, { method: 'HEAD' })).headers.get('content-length') ?? 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let loaded = 0;
  const files = await Promise.all(
    names.map((n) =>
      fetchIdx(`${base}${n}.gz`, (bytes) => {
        loaded += bytes;
        post({ type: 'loading', loaded: Math.min(loaded, total * 0.99), total });
      }),
    ),
  );
  train = mnistFromIdx(files[0], files[1], 'train');
  test = mnistFromIdx(files[2], files[3], 't10k');
  post({ type: 'ready', train: train.count, test: test.count, engine: await engine });
}

function startSession(settings: TrainSettings): Session {
  const rng = new Rng(settings.seed);
  const net = new TwoLayerNet(784, settings.hidden, MNIST_CLASSES, 0.01, 'relu', { rng, dtype });
  const trainer = new Trainer(net, new SGD(settings.lr), train as MnistSet, { batchSize: settings.batchSize, rng, dtype });
  return { settings, net, trainer, epochStart: 0, running: false };
}

/** Runs updates for about 40 ms, reports, and yields to the message queue before the next chunk. */
function chunk(s: Session): void {
  if (!s.running || session !== s) return;
  const { trainer } = s;
  const end = performance.now() + 40;
  const losses: number[] = [];
  const report = () => post({ type: 'iterations', first: trainer.iteration - losses.length + 1, losses });
  while (performance.now() < end) {
    losses.push(trainer.step());
    if (trainer.atEpochEnd) {
      report();
      const record = trainer.endEpoch(subset(train as MnistSet, 10000), test as MnistSet);
      post({ type: 'epoch', ...record, seconds: record.seconds - s.epochStart });
      s.epochStart = record.seconds;
      if (record.epoch >= s.settings.epochs) {
        s.running = false;
        post({ type: 'done' });
        return;
      }
      setTimeout(() => chunk(s), 0);
      return;
    }
  }
  if (losses.length) report();
  setTimeout(() => chunk(s), 0);
}

function predict(pixels: Float32Array): void {
  const net = session?.net ?? new TwoLayerNet(784, 50, MNIST_CLASSES, 0.01, 'relu', { rng: new Rng(0), dtype });
  const scores = net.predict(new Tensor(dtype === 'float32' ? Float32Array.from(pixels) : Float64Array.from(pixels), [1, 784]));
  const max = Math.max(...scores.data);
  const exps = Array.from(scores.data, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  post({ type: 'prediction', probabilities: exps.map((e) => e / sum) });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'load') {
    load(message.base, message.engine).catch((error: Error) => post({ type: 'error', message: error.message }));
  } else if (message.type === 'start') {
    if (!session || session.trainer.history.length >= session.settings.epochs) session = startSession(message.settings);
    session.running = true;
    chunk(session);
  } else if (message.type === 'pause') {
    if (session) session.running = false;
  } else if (message.type === 'reset') {
    session = undefined;
  } else if (message.type === 'predict') {
    predict(message.pixels);
  }
};
