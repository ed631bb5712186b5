import { dataFromJSON } from '../io/data-json.js';
import { modelFromJSON } from '../io/model-json.js';
import type { ModelJSON } from '../nets/sequential.js';
import { type Explanation, explainPass } from './explain.js';

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

/**
 * The seed's worked example: one pass of the seed's network on its example, then one SGD step.
 *
 * @example
 * seedExplanation().update?.lossAfter; // 0.5501…
 */
export function seedExplanation(): Explanation {
  const net = modelFromJSON(SEED_MODEL);
  const { x, t } = dataFromJSON(SEED_DATA, net);
  return explainPass(net, x, t, SEED_LR);
}
