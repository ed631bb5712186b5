import { InputError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';
import type { DType } from '../tensor/tensor.js';
import { DEEP_CONV_LAYERS, DeepConvNet } from './deep-conv-net.js';
import { MultiLayerNet, MultiLayerNetExtend } from './multi-layer-net.js';
import type { Sequential } from './sequential.js';
import { SimpleConvNet } from './simple-conv-net.js';
import { type Activation, TwoLayerNet } from './two-layer-net.js';
import type { WeightInit } from './weight-init.js';

/** The book's networks, by the names the command line and a run's configuration give them. */
export type NetName = 'two-layer' | 'multi-layer' | 'multi-layer-extend' | 'simple-conv' | 'deep-conv';
export const netNames: readonly NetName[] = ['two-layer', 'multi-layer', 'multi-layer-extend', 'simple-conv', 'deep-conv'];

/**
 * Whether a network is one of the book's convolutional ones (ch07's SimpleConvNet, ch08's
 * DeepConvNet): Relu only, one hidden Affine size, Adam by default, as the book trains them.
 */
export function isConvNet(net: NetName): boolean {
  return net === 'simple-conv' || net === 'deep-conv';
}

/** Which of the book's networks to build, and how. */
export interface NetConfig {
  net: NetName;
  /** Hidden units: one size for two-layer and simple-conv (its Affine), one per hidden layer for the others. */
  hidden: number[];
  activation: Activation;
  init: WeightInit;
  /** λ of weight decay. */
  weightDecay: number;
  /** multi-layer-extend: Dropout with this ratio after each hidden activation; deep-conv: the ratio of its two Dropout layers (the book's 0.5 when absent). */
  dropout?: number;
  /** multi-layer-extend: BatchNormalization before each hidden activation. */
  batchNorm?: boolean;
}

/** The book's defaults per network: hidden sizes and weight init. */
export const netDefaults: Readonly<Record<NetName, { hidden: number[]; init: WeightInit }>> = {
  'two-layer': { hidden: [50], init: 0.01 },
  'multi-layer': { hidden: [100, 100, 100, 100], init: 'he' },
  'multi-layer-extend': { hidden: [100, 100, 100, 100], init: 'he' },
  'simple-conv': { hidden: [100], init: 0.01 },
  'deep-conv': { hidden: [50], init: 'he' },
};

/** What the data fixes about a network: the shape of one example (C×H×W), the classes, and how to draw and store its weights. */
export interface NetData {
  /** One example as C×H×W, e.g. MNIST's 1×28×28; the fully connected nets take C·H·W inputs. */
  inputShape: readonly [number, number, number];
  classes: number;
  rng: Rng;
  dtype?: DType;
}

/**
 * Builds the network a configuration names, for examples of `inputShape` and `classes` classes.
 *
 * @example
 * const net = makeNet({ net: 'two-layer', hidden: [50], activation: 'relu', init: 0.01, weightDecay: 0 },
 *   { inputShape: [1, 28, 28], classes: 10, rng: new Rng(0) }); // TwoLayerNet 784-50-10
 */
export function makeNet(config: NetConfig, { inputShape, classes, rng, dtype = 'float64' }: NetData): Sequential {
  const { activation, weightDecay, init: weightInit } = config;
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  switch (config.net) {
    case 'two-layer':
      // TwoLayerNet takes a std and no weight decay; for he/xavier or λ > 0 the same layers come from MultiLayerNet.
      if (typeof weightInit === 'number' && weightDecay === 0)
        return new TwoLayerNet(inputs, config.hidden[0], classes, weightInit, activation, { rng, dtype });
      return new MultiLayerNet(inputs, config.hidden.slice(0, 1), classes, { activation, weightInit, weightDecay, rng, dtype });
    case 'multi-layer':
      return new MultiLayerNet(inputs, config.hidden, classes, { activation, weightInit, weightDecay, rng, dtype });
    case 'multi-layer-extend':
      return new MultiLayerNetExtend(inputs, config.hidden, classes, {
        activation,
        weightInit,
        weightDecay,
        dropout: config.dropout,
        batchNorm: config.batchNorm,
        rng,
        dtype,
      });
    case 'simple-conv':
      return new SimpleConvNet({
        inputDim: inputShape,
        hiddenSize: config.hidden[0],
        outputSize: classes,
        weightInit,
        weightDecay,
        rng,
        dtype,
      });
    case 'deep-conv':
      return new DeepConvNet({
        inputDim: inputShape,
        hiddenSize: config.hidden[0],
        outputSize: classes,
        dropout: config.dropout, // DeepConvNet's own default, the book's 0.5, when absent
        weightInit,
        weightDecay,
        rng,
        dtype,
      });
    default:
      throw new InputError(`net is ${JSON.stringify(config.net)}, expected one of ${netNames.join(', ')}`);
  }
}

/**
 * One line naming the network.
 *
 * @example
 * describeNet({ net: 'two-layer', hidden: [50], activation: 'relu', init: 0.01, weightDecay: 0 });
 * // 'TwoLayerNet 784-50-10 (relu, init std 0.01)'
 */
export function describeNet(config: NetConfig, inputShape: readonly [number, number, number] = [1, 28, 28], classes = 10): string {
  const init = typeof config.init === 'number' ? `init std ${config.init}` : `init ${config.init}`;
  const extras = [
    config.activation,
    ...(config.batchNorm ? ['batch norm'] : []),
    ...(config.dropout !== undefined ? [`dropout ${config.dropout}`] : []),
    ...(config.weightDecay > 0 ? [`weight decay λ ${config.weightDecay}`] : []),
    init,
  ].join(', ');
  if (config.net === 'simple-conv')
    return `SimpleConvNet ${inputShape.join('×')} → conv 30×5×5 → pool 2×2 → ${config.hidden[0]} → ${classes} (${extras})`;
  if (config.net === 'deep-conv')
    return `DeepConvNet ${inputShape.join('×')} → conv 3×3 16, 16, pool, 32, 32, pool, 64, 64, pool → ${config.hidden[0]} → ${classes} (${extras})`;
  const name = { 'two-layer': 'TwoLayerNet', 'multi-layer': 'MultiLayerNet', 'multi-layer-extend': 'MultiLayerNetExtend' }[config.net];
  return `${name} ${[inputShape[0] * inputShape[1] * inputShape[2], ...config.hidden, classes].join('-')} (${extras})`;
}

/**
 * The most parameters a run may train: 2^24 (16,777,216). Its model.json holds each as a number of
 * up to about 24 characters, and a longer text than V8's strings (about 2^29 characters) cannot be
 * written: past the limit a run would train and then lose its weights.
 */
export const MAX_PARAMETERS = 2 ** 24;

/**
 * How many parameters the network of a configuration has, for `inputShape` examples and `classes`
 * classes, counted without building it.
 *
 * @example
 * parameterCount({ net: 'two-layer', hidden: [50], activation: 'relu', init: 0.01, weightDecay: 0 }, [1, 28, 28], 10); // 39,760
 */
export function parameterCount(config: NetConfig, inputShape: readonly [number, number, number], classes: number): number {
  const [c, h, w] = inputShape;
  const affines = (sizes: number[]): number => sizes.slice(1).reduce((sum, size, i) => sum + sizes[i] * size + size, 0);
  if (config.net === 'simple-conv') {
    // conv 30×C×5×5, a 2×2 pooling of its (H − 4)×(W − 4), then two Affine layers, as SimpleConvNet
    const pooled = 30 * Math.floor((h - 4) / 2) * Math.floor((w - 4) / 2);
    return 30 * c * 25 + 30 + affines([pooled, config.hidden[0], classes]);
  }
  if (config.net === 'deep-conv') {
    const { convs, flat } = deepConvShapes(inputShape);
    return convs.reduce((sum, conv) => sum + conv.filters * (conv.channels * 9 + 1), 0) + affines([flat, config.hidden[0], classes]);
  }
  const hidden = config.net === 'two-layer' ? config.hidden.slice(0, 1) : config.hidden;
  const batchNorm = config.net === 'multi-layer-extend' && config.batchNorm ? 2 * hidden.reduce((a, b) => a + b, 0) : 0;
  return affines([c * h * w, ...hidden, classes]) + batchNorm;
}

/**
 * The multiply-adds of one example's forward pass through the network a configuration makes (its
 * products: the convolution's and the Affine layers'); a training step takes about three times this
 * per example (forward, dx and dW).
 *
 * @example
 * multiplyAddsPerExample({ net: 'two-layer', hidden: [50], … }, [1, 28, 28], 10); // 784·50 + 50·10
 */
export function multiplyAddsPerExample(config: NetConfig, inputShape: readonly [number, number, number], classes: number): number {
  const [c, h, w] = inputShape;
  const products = (sizes: number[]): number => sizes.slice(1).reduce((sum, size, i) => sum + sizes[i] * size, 0);
  if (config.net === 'simple-conv') {
    const pooled = 30 * Math.floor((h - 4) / 2) * Math.floor((w - 4) / 2);
    return 30 * (h - 4) * (w - 4) * c * 25 + products([pooled, config.hidden[0], classes]);
  }
  if (config.net === 'deep-conv') {
    const { convs, flat } = deepConvShapes(inputShape);
    return (
      convs.reduce((sum, conv) => sum + conv.filters * conv.places * conv.channels * 9, 0) + products([flat, config.hidden[0], classes])
    );
  }
  const hidden = config.net === 'two-layer' ? config.hidden.slice(0, 1) : config.hidden;
  return products([c * h * w, ...hidden, classes]);
}

// DeepConvNet's convolutions on one C×H×W example: each one's input channels and output places, and the pooled size the Affine takes
function deepConvShapes([c, h, w]: readonly [number, number, number]) {
  const convs: { filters: number; channels: number; places: number }[] = [];
  let [channels, rows, cols] = [c, h, w];
  DEEP_CONV_LAYERS.forEach(({ filters, pad }, i) => {
    rows += 2 * pad - 2;
    cols += 2 * pad - 2;
    convs.push({ filters, channels, places: rows * cols });
    channels = filters;
    if (i % 2 === 1) [rows, cols] = [Math.floor(rows / 2), Math.floor(cols / 2)];
  });
  return { convs, flat: channels * rows * cols };
}
