import { formatShape, ShapeError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Pooling } from '../layers/pooling.js';
import type { Sequential } from '../nets/sequential.js';

const features = (shape: readonly number[]): number => shape.slice(1).reduce((a, b) => a * b, 1);

/**
 * Checks that shapes flow through a network's layers, without running it: each Affine must get
 * as many features as W has rows, each Convolution as many channels as its filters, each window
 * must fit (a whole output size ≥ 1), each BatchNormalization as many features as gamma. With
 * `xShape` (the input batch's shape, e.g. the data file's N×C×H×W) every shape is known and
 * checked; without it, what can be known from the layers alone (widths after an Affine,
 * channels after a Convolution) is. A problem is a ShapeError naming the layer and the shapes.
 *
 * @example
 * checkChain(net);                  // when the model is read
 * checkChain(net, [2, 1, 28, 28]);  // when the data is known
 */
export function checkChain(net: Sequential, xShape?: readonly number[]): void {
  let shape = xShape;
  let from = 'the input';
  /** Channels after a Convolution when the spatial size is unknown (no data yet). */
  let channels: number | undefined;
  for (const layer of net.layers) {
    if (layer instanceof Affine) {
      const W = layer.params.W;
      if (shape && features(shape) !== W.shape[0]) {
        const spatial = shape.length > 2 ? ` (${formatShape(shape.slice(1))})` : '';
        throw new ShapeError(
          `${layer.label}: W is ${formatShape(W.shape)} but ${from} gives ${features(shape)} features${spatial}, expected W with ${features(shape)} rows`,
        );
      }
      shape = [shape ? shape[0] : 1, W.shape[1]];
      channels = undefined;
    } else if (layer instanceof Convolution || layer instanceof Pooling || layer instanceof BatchNormalization) {
      if (shape) {
        shape = layer.outputShape(shape);
      } else if (layer instanceof Convolution) {
        const W = layer.params.W;
        if (channels !== undefined && W.shape[1] !== channels) {
          throw new ShapeError(
            `${layer.label}: W is ${formatShape(W.shape)} but ${from} gives ${channels} channels, expected W with ${channels} channels`,
          );
        }
        channels = W.shape[0];
      }
    } else {
      continue; // activations and Dropout keep the shape
    }
    from = layer.label;
  }
}
