import { describe, InputError } from '../../errors.js';
import { layerType, layerTypes } from '../../layers/registry.js';
import { type ModelJSON, Sequential } from '../../nets/sequential.js';
import { outputWidth } from '../../nets/shapes.js';
import { modelFromJSON } from '../model-json.js';
import { GraphBuilder, ONNX_FLOAT } from '../onnx-graph.js';
import { onnxModelProto } from './onnx-proto.js';

/** The ONNX operator set the exported graphs use (onnxruntime runs 7 and later). */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13. */
export const ONNX_IR_VERSION = 7;

/**
 * The layer types export knows: those whose ONNX form has an `export`.
 *
 * @example
 * exportedTypes().includes('Convolution'); // true
 */
export function exportedTypes(): string[] {
  return [...layerTypes.values()].filter((t) => t.onnx?.export).map((t) => t.type);
}

/**
 * An ONNX model (opset 13, float32) computing what the network computes at inference: for an
 * MLP, Gemm + activations, and Softmax at the end, so the graph outputs probabilities. Input
 * `input` is N×features (N×C×H×W when the network starts with a Convolution); output
 * `probabilities` is N×classes. Each layer adds its own nodes (its type's `onnx.export`); a layer
 * type without one is refused by name.
 *
 * @example
 * writeFileSync('model.onnx', modelToOnnx(net));
 */
export function modelToOnnx(model: Sequential | ModelJSON): Uint8Array {
  if (!(model instanceof Sequential)) {
    // refused by name before anything else is read of the file
    (model.layers ?? []).forEach((layer, i) => {
      if (!exportedTypes().includes(layer?.type))
        throw new InputError(
          `model.layers[${i}] is ${describe(layer?.type)}, which ONNX export does not support; it exports ${exportedTypes().join(', ')}`,
        );
    });
  }
  const net = model instanceof Sequential ? model : modelFromJSON(model);
  const takes = net.inputShape ? [-1, ...net.inputShape] : net.layers[0]?.inputShape?.();
  const images = takes !== undefined && takes.length === 4;
  const g = new GraphBuilder({ name: 'input', rank: images ? 4 : 2 });
  [...net.layers, net.lastLayer].forEach((layer, i) => {
    const emit = layerType(layer.type).onnx?.export;
    const path = `model.layers[${i}]`;
    if (!emit)
      throw new InputError(
        `${path} is ${describe(layer.type)}, which ONNX export does not support; it exports ${exportedTypes().join(', ')}`,
      );
    emit(layer, g, path, `layers.${i}`);
  });
  if (g.current.name !== 'probabilities')
    throw new InputError('model.layers does not end with SoftmaxWithLoss, expected the probabilities last');
  const inputDims: (number | string)[] = images ? ['N', takes[1], 'H', 'W'] : ['N', takes && takes[1] !== -1 ? takes[1] : 'features'];
  const valueInfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  });
  const message = onnxModelProto().fromObject({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'scratchnet',
    graph: {
      name: 'scratchnet',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', inputDims)],
      output: [valueInfo('probabilities', ['N', outputWidth(net) ?? 'classes'])],
    },
  });
  return onnxModelProto().encode(message).finish();
}
