import type { ModelJSON } from '../nets/sequential.js';

/**
 * The seed's network: the two-layer network of the learner's hand-worked note, Affine → Sigmoid →
 * Affine → SoftmaxWithLoss, in the model JSON.
 */
export const SEED_MODEL: ModelJSON = {
  layers: [
    {
      type: 'Affine',
      W: [
        [0.1, -0.2],
        [0.4, 0.3],
      ],
      b: [0.0, 0.0],
    },
    { type: 'Sigmoid' },
    {
      type: 'Affine',
      W: [
        [0.5, -0.1],
        [-0.3, 0.2],
      ],
      b: [0.0, 0.0],
    },
    { type: 'SoftmaxWithLoss' },
  ],
};

/** The seed's example: x = (1.0, 2.0) with the label t = (1, 0). */
export const SEED_DATA = { x: [[1.0, 2.0]], t: [[1, 0]] };

/** The learning rate of the seed's weight update. */
export const SEED_LR = 0.1;
