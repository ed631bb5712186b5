import { fillBatch, MNIST_CLASSES, subset } from '../../data/mnist.js';
import { formatShape } from '../../errors.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { compareGradients } from '../../nets/numerical-gradient.js';
import { activations, TwoLayerNet } from '../../nets/two-layer-net.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { choiceFlag, intFlag, parseFlags, positionals } from '../args.js';

export const gradcheckHelp = `Usage: scratchnet gradcheck [--samples 3] [--hidden 50] [--activation relu|sigmoid|tanh] [--seed 0] [--json]

The book's ch05 gradient check: a TwoLayerNet 784-hidden-10 on the first MNIST training images,
gradients by backprop against central differences, all in float64. Prints, per parameter, the
largest absolute difference and the relative difference ‖a − b‖ / (‖a‖ + ‖b‖); exits with status 1
when any relative difference exceeds 1e-6.`;

/** The largest relative difference between backprop and numerical gradients that passes. */
export const GRADCHECK_TOLERANCE = 1e-6;

export function gradcheckCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('gradcheck', argv, {
    samples: { type: 'string' },
    hidden: { type: 'string' },
    activation: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return void console.log(gradcheckHelp);
  positionals('gradcheck', rest, []);
  const samples = intFlag('samples', values.samples, 3, 1, 100);
  const hidden = intFlag('hidden', values.hidden, 50, 1, 1000);
  const activation = choiceFlag('activation', values.activation, activations, 'relu');
  const seed = intFlag('seed', values.seed, 0, 0);

  const train = subset(loadMnist().train, samples);
  const x = Tensor.zeros([samples, train.rows * train.cols]);
  const t = Tensor.zeros([samples, MNIST_CLASSES]);
  fillBatch(
    train,
    Int32Array.from({ length: samples }, (_, i) => i),
    x,
    t,
  );
  const net = new TwoLayerNet(784, hidden, MNIST_CLASSES, 0.01, activation, { rng: new Rng(seed) });
  const numerical = net.numericalGradient(x, t);
  const backprop = net.gradient(x, t);
  const rows = Object.keys(net.params).map((name) => ({
    name,
    shape: formatShape(net.params[name].shape),
    ...compareGradients(backprop[name], numerical[name]),
  }));
  const passed = rows.every((r) => r.relative <= GRADCHECK_TOLERANCE);
  if (values.json) {
    console.log(JSON.stringify({ samples, hidden, activation, tolerance: GRADCHECK_TOLERANCE, passed, params: rows }, null, 2));
  } else {
    console.log(`Gradient check: TwoLayerNet 784-${hidden}-10 (${activation}), ${samples} MNIST images, float64, h = 1e-4`);
    console.log(
      `${'param'.padEnd(6)} ${'shape'.padEnd(8)} ${'max |backprop − numerical|'.padStart(27)} ${'relative difference'.padStart(20)}`,
    );
    for (const r of rows) {
      const mark = r.relative <= GRADCHECK_TOLERANCE ? 'ok' : 'FAIL';
      console.log(
        `${r.name.padEnd(6)} ${r.shape.padEnd(8)} ${r.maxAbs.toExponential(3).padStart(27)} ${r.relative.toExponential(3).padStart(20)}  ${mark}`,
      );
    }
    console.log(passed ? `passed: every relative difference ≤ 1e-6` : `FAILED: a relative difference exceeds 1e-6`);
  }
  if (!passed) process.exitCode = 1;
}
