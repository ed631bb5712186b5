import { describe, InputError, ScratchnetError } from '../errors.js';
import type { Layer, LossLayer } from '../layers/layer.js';
import { layerType, layerTypes } from '../layers/registry.js';
import { Sequential } from '../nets/sequential.js';
import { checkChain } from '../nets/shapes.js';
import { Rng } from '../tensor/rng.js';
import type { DType } from '../tensor/tensor.js';
import { expectObject, JsonFields } from './json-fields.js';

/** What building a layer may need besides its JSON. */
export interface ModelOptions {
  /** Draws Dropout masks in training (default: a new Rng seeded with 0). */
  rng?: Rng;
}

/**
 * Builds a network from the model JSON, checking everything a file can get wrong: missing
 * fields, ragged or non-numeric arrays, unknown layer types, and layers whose shapes don't chain.
 * Each layer is built by its type's `fromJSON` (layers/registry.ts).
 *
 * @example
 * const net = modelFromJSON({ layers: [
 *   { type: 'Affine', W: [[0.1, -0.2], [0.4, 0.3]], b: [0, 0] }, { type: 'Sigmoid' },
 *   { type: 'Affine', W: [[0.5, -0.1], [-0.3, 0.2]], b: [0, 0] }, { type: 'SoftmaxWithLoss' } ] });
 */
export function modelFromJSON(value: unknown, dtype: DType = 'float64', { rng = new Rng(0) }: ModelOptions = {}): Sequential {
  const model = expectObject(value, 'model');
  if (!Object.hasOwn(model, 'layers')) throw new InputError('model has no "layers"');
  const list = model.layers;
  if (!Array.isArray(list) || list.length === 0)
    throw new InputError(`model.layers is ${describe(list)}, expected a non-empty array of layers`);
  const layers: Layer[] = [];
  let lastLayer: LossLayer | undefined;
  list.forEach((entry, i) => {
    const path = `model.layers[${i}]`;
    const json = new JsonFields(entry, path);
    const type = layerType(json.get('type'), `${path}.type`);
    if (type.loss && i !== list.length - 1) throw new InputError(`${path} is ${type.type}, but a loss layer must be the last layer`);
    let layer: Layer | LossLayer;
    try {
      layer = type.fromJSON(json, { dtype, rng });
    } catch (error) {
      // A layer's own check (W is 2×3 but b is 2) gets the place in the file in front.
      if (error instanceof ScratchnetError && !error.message.startsWith(path)) {
        const Kind = error.constructor as new (message: string) => ScratchnetError;
        throw new Kind(`${path}: ${error.message}`);
      }
      throw error;
    }
    if (type.loss) lastLayer = layer as LossLayer;
    else layers.push(layer as Layer);
  });
  if (!lastLayer) {
    const losses = [...layerTypes.values()].filter((t) => t.loss).map((t) => t.type);
    throw new InputError(
      `model.layers ends with ${describe((list[list.length - 1] as { type?: unknown })?.type)}, expected the loss layer ${losses.join(' or ')} last`,
    );
  }
  const net = new Sequential(layers, lastLayer);
  checkChain(net);
  return net;
}
