import { formatShape, InputError, ShapeError } from '../errors.js';
import { checkTargets } from '../layers/softmax-with-loss.js';
import type { Sequential } from '../nets/sequential.js';
import { checkChain, inputWidth, outputWidth } from '../nets/shapes.js';
import { ANY, type DType, type Nested, Tensor } from '../tensor/tensor.js';
import { JsonFields } from './json-fields.js';

/** One batch: the inputs and their targets. */
export interface Batch {
  x: Tensor;
  t: Tensor;
}

/**
 * Reads the data JSON `{ "x": [[…]], "t": [[…]] }` for a network: x one row per example (or,
 * for a network that starts with a Convolution, N×C×H×W images), t one-hot rows or a list of
 * class indices, checked against the network's input and output widths and, with x's shape, every
 * shape through the network (a kernel larger than its padded input, an output size that is not
 * whole, channels that don't match are ShapeErrors naming the layer and the shapes).
 *
 * @example
 * const { x, t } = dataFromJSON({ x: [[1, 2]], t: [[1, 0]] }, net);
 */
export function dataFromJSON(value: unknown, net: Sequential, dtype: DType = 'float64'): Batch {
  const data = new JsonFields(value, 'data');
  const x = Tensor.from(data.get('x') as Nested, dtype, 'data.x');
  if (x.rank < 2 || x.shape[0] === 0)
    throw new InputError(`data.x is ${x.rank === 0 ? 'a number' : formatShape(x.shape)}, expected one row per example (N×features)`);
  const t = Tensor.from(data.get('t') as Nested, 'float64', 'data.t');
  const n = x.shape[0];
  const first = net.layers[0];
  const takes = first?.inputShape?.();
  if (takes && takes.length > 2 && x.rank !== takes.length && !net.inputShape) {
    // N×C×H×W with the sizes the layer fixes
    const images = takes.map((d, i) => (d === ANY ? 'NCHW'[i] : d)).join('×');
    throw new ShapeError(
      `data.x is ${formatShape(x.shape)} but ${first.label} takes images ${images}, expected x with ${takes.length} axes`,
    );
  }
  if (net.inputShape && x.rank > 2 && formatShape(x.shape.slice(1)) !== formatShape(net.inputShape)) {
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but the network takes N×${formatShape(net.inputShape)}, expected that shape`);
  }
  const inputs = inputWidth(net);
  if (inputs !== undefined && x.size / n !== inputs) {
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but ${first.label} takes ${inputs} inputs, expected rows of ${inputs}`);
  }
  const input = net.inputShape && x.rank === 2 ? x.reshape([n, ...net.inputShape]) : x;
  checkChain(net, input.shape);
  const classes = outputWidth(net);
  checkTargets(t, n, classes, { name: 'data.t', rows: 'data.x has', classes: 'the model outputs' });
  return { x: input, t };
}
