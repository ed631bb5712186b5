import { MNIST_CLASSES } from '../data/mnist.js';
import { MultiLayerNet, MultiLayerNetExtend } from '../nets/multi-layer-net.js';
import type { Sequential } from '../nets/sequential.js';
import { SimpleConvNet } from '../nets/simple-conv-net.js';
import { type Activation, TwoLayerNet } from '../nets/two-layer-net.js';
import type { WeightInit } from '../nets/weight-init.js';
import type { Rng } from '../tensor/rng.js';
import type { DType } from '../tensor/tensor.js';

export type NetName = 'two-layer' | 'multi-layer' | 'multi-layer-extend' | 'simple-conv';
export const netNames: readonly NetName[] = ['two-layer', 'multi-layer', 'multi-layer-extend', 'simple-conv'];

/** Everything the command line can say about the network to build. */
export interface NetSettings {
  net: NetName;
  hidden: number[];
  activation: Activation;
  init: WeightInit;
  weightDecay: number;
  dropout: number | undefined;
  batchNorm: boolean;
}

/** The book's defaults per network: hidden sizes and weight init. */
export const netDefaults: Record<NetName, { hidden: number[]; init: WeightInit }> = {
  'two-layer': { hidden: [50], init: 0.01 },
  'multi-layer': { hidden: [100, 100, 100, 100], init: 'he' },
  'multi-layer-extend': { hidden: [100, 100, 100, 100], init: 'he' },
  'simple-conv': { hidden: [100], init: 0.01 },
};

/** Builds the network for MNIST (784 pixels or 1×28×28, 10 classes). */
export function makeNet(s: NetSettings, rng: Rng, dtype: DType = 'float64'): Sequential {
  const { activation, weightDecay } = s;
  switch (s.net) {
    case 'two-layer':
      // TwoLayerNet takes a std and no weight decay; for he/xavier or λ > 0 the same layers come from MultiLayerNet.
      if (typeof s.init === 'number' && weightDecay === 0)
        return new TwoLayerNet(784, s.hidden[0], MNIST_CLASSES, s.init, activation, { rng, dtype });
      return new MultiLayerNet(784, s.hidden.slice(0, 1), MNIST_CLASSES, { activation, weightInit: s.init, weightDecay, rng, dtype });
    case 'multi-layer':
      return new MultiLayerNet(784, s.hidden, MNIST_CLASSES, { activation, weightInit: s.init, weightDecay, rng, dtype });
    case 'multi-layer-extend':
      return new MultiLayerNetExtend(784, s.hidden, MNIST_CLASSES, {
        activation,
        weightInit: s.init,
        weightDecay,
        dropout: s.dropout,
        batchNorm: s.batchNorm,
        rng,
        dtype,
      });
    case 'simple-conv':
      return new SimpleConvNet({ hiddenSize: s.hidden[0], weightInit: s.init, weightDecay, rng, dtype });
  }
}

/** One line naming the network, e.g. `MultiLayerNetExtend 784-100-100-10 (relu, batch norm, init he)`. */
export function describeNet(s: NetSettings): string {
  const init = typeof s.init === 'number' ? `init std ${s.init}` : `init ${s.init}`;
  const extras = [
    s.activation,
    ...(s.batchNorm ? ['batch norm'] : []),
    ...(s.dropout !== undefined ? [`dropout ${s.dropout}`] : []),
    ...(s.weightDecay > 0 ? [`weight decay λ ${s.weightDecay}`] : []),
    init,
  ].join(', ');
  if (s.net === 'simple-conv') return `SimpleConvNet 1×28×28 → conv 30×5×5 → pool 2×2 → ${s.hidden[0]} → 10 (${extras})`;
  const name = { 'two-layer': 'TwoLayerNet', 'multi-layer': 'MultiLayerNet', 'multi-layer-extend': 'MultiLayerNetExtend' }[s.net];
  return `${name} ${[784, ...s.hidden, 10].join('-')} (${extras})`;
}
