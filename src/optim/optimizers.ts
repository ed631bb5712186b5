import { AdaGrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Momentum } from './momentum.js';
import { Nesterov } from './nesterov.js';
import { RMSprop } from './rmsprop.js';
import { type Optimizer, SGD } from './sgd.js';

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';
export const optimizerNames: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

/** The book's default learning rate of each optimizer (common/optimizer.py). */
export const defaultLearningRates: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.01,
  momentum: 0.01,
  nesterov: 0.01,
  adagrad: 0.01,
  rmsprop: 0.01,
  adam: 0.001,
};

/**
 * An optimizer by name with the book's other settings (momentum 0.9, RMSprop decay 0.99, Adam
 * β1 0.9, β2 0.999) and the given learning rate (default: the book's for it).
 *
 * @example
 * makeOptimizer('adam');        // Adam(0.001)
 * makeOptimizer('sgd', 0.1);    // SGD(0.1)
 */
export function makeOptimizer(name: OptimizerName, lr = defaultLearningRates[name]): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(lr);
    case 'momentum':
      return new Momentum(lr);
    case 'nesterov':
      return new Nesterov(lr);
    case 'adagrad':
      return new AdaGrad(lr);
    case 'rmsprop':
      return new RMSprop(lr);
    case 'adam':
      return new Adam(lr);
  }
}
