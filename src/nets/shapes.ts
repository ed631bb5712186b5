import { ANY, featuresOf, type Shape } from '../layers/layer.js';
import type { Sequential } from './sequential.js';

/**
 * Checks that shapes flow through a network's layers, without running it: each layer's
 * `outputShape` checks what it is given (an Affine as many features as W has rows, a Convolution
 * as many channels as its filters and a window that fits, a BatchNormalization as many features
 * as gamma). With `xShape` (the input batch's shape, e.g. the data file's N×C×H×W) every shape is
 * known and checked; without it, the chain starts at the first layer that fixes the input it
 * takes, and sizes not known yet (−1) are not checked. A problem is a ShapeError naming the layer
 * and the shapes. Returns the shape of the scores, when it is known.
 *
 * @example
 * checkChain(net);                  // when the model is read
 * checkChain(net, [2, 1, 28, 28]);  // when the data is known
 */
export function checkChain(net: Sequential, xShape?: Shape): Shape | undefined {
  let shape = xShape;
  let from = 'the input';
  for (const layer of net.layers) {
    // without data the batch is one example, as error messages show it
    if (!shape) shape = layer.inputShape?.().map((d, i) => (i === 0 ? 1 : d));
    if (!shape) continue;
    const out = layer.outputShape(shape, from);
    // an activation or a Dropout passes its input on: the shape still comes from the layer before
    if (Object.keys(layer.params).length > 0 || out.length !== shape.length || out.some((d, i) => d !== (shape as Shape)[i]))
      from = layer.label;
    shape = out;
  }
  return shape;
}

/**
 * The number of features a network takes per example when that is fixed: C·H·W of a network
 * built with an `inputShape` (SimpleConvNet), or what its first layer fixes (the rows of a first
 * Affine's W). A network that starts with a Convolution read from JSON takes any H×W its layers
 * fit, so this is undefined and the data's own shape is checked through the chain instead.
 *
 * @example
 * inputWidth(new TwoLayerNet(784, 50, 10)); // 784
 */
export function inputWidth(net: Sequential): number | undefined {
  if (net.inputShape) return net.inputShape.reduce((a, b) => a * b, 1);
  const shape = net.layers[0]?.inputShape?.();
  const features = shape ? featuresOf(shape) : ANY;
  return features === ANY ? undefined : features;
}

/**
 * The number of classes the network outputs (its scores' width), when the layers fix it.
 *
 * @example
 * outputWidth(new TwoLayerNet(784, 50, 10)); // 10
 */
export function outputWidth(net: Sequential): number | undefined {
  const scores = checkChain(net, net.inputShape ? [ANY, ...net.inputShape] : undefined);
  return scores?.length === 2 && scores[1] !== ANY ? scores[1] : undefined;
}
