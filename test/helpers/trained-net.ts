import { subset } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/tensor/rng.js';
import { trainNet } from '../../src/train/run.js';

/** A TwoLayerNet 784-30-10 trained for 300 iterations on 6,000 MNIST images (≈ 86% test accuracy, ~3 s). */
export function trainedNet(): TwoLayerNet {
  const { train, test } = loadMnist();
  const rng = new Rng(0);
  const net = new TwoLayerNet(784, 30, 10, 0.01, 'relu', { rng });
  trainNet(net, new SGD(0.1), subset(train, 6000), subset(test, 100), { iters: 300, batchSize: 100, rng });
  return net;
}
