import { describe, InputError } from '../errors.js';
import * as all from './index.js';
import type { LayerType } from './layer.js';

/**
 * Every layer type by its model JSON `type`, the exports of `index.ts` in alphabetical order.
 * Loading, saving, shape checks, `explain`, `check` and ONNX look a layer up here instead of
 * switching on classes.
 *
 * @example
 * [...layerTypes.keys()]; // ['Affine', 'BatchNormalization', …]
 * layerTypes.get('Relu')?.example.json; // { type: 'Relu' }
 */
export const layerTypes: ReadonlyMap<string, LayerType> = new Map(types().map((layer) => [layer.type, layer] as const));

/**
 * The registry entry of a layer type, or an InputError naming `path` and the known types.
 *
 * @example
 * layerType('Affine').steps.output; // 'z'
 */
export function layerType(type: unknown, path = 'layer.type'): LayerType {
  const found = typeof type === 'string' ? layerTypes.get(type) : undefined;
  if (!found) throw new InputError(`${path} is ${describe(type)}, expected one of ${[...layerTypes.keys()].join(', ')}`);
  return found;
}

// Each export of index.ts, checked by the compiler to be a whole layer type.
function types(): LayerType[] {
  const list: LayerType[] = Object.values(all);
  return list;
}
