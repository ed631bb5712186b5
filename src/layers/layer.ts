import type { ByteRows } from '../backend/kernels.js';
import { formatShape, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import type { OnnxForm } from '../io/onnx-graph.js';
import type { Rng } from '../tensor/rng.js';
import { ANY, type DType, type Shape, sameShape, type Tensor } from '../tensor/tensor.js';

export { ANY, type Shape } from '../tensor/tensor.js';

import type { LayerSteps } from './steps.js';

/**
 * A layer as the book writes it: `forward` computes the output and keeps what `backward`
 * needs; `backward` takes the gradient of the loss with respect to the output (dout) and
 * returns it with respect to the input (dx), leaving parameter gradients in `grads`.
 *
 * Outputs and gradients live in buffers the layer reuses from one call to the next: a returned
 * tensor is valid until the layer's next forward (or backward). Copy it to keep it.
 * `backward` never changes `dout`; parameter gradients are overwritten on every pass, never summed.
 */
export interface Layer {
  /** The book's class name and the model JSON's `type`: `Affine`, `Sigmoid`, `Relu`. */
  readonly type: string;
  /** Name used in error messages, e.g. `Affine#1` for the first layer of a network. */
  label: string;
  /** Learnable parameters by the book's names (`W`, `b`); empty for a layer without any. */
  readonly params: Record<string, Tensor>;
  /** Gradients of the loss with respect to `params`, same names and shapes; filled by `backward`. */
  readonly grads: Record<string, Tensor>;
  /** Tensors saved with the model that are not learned (BatchNormalization's running statistics). */
  readonly buffers?: Record<string, Tensor>;
  /** `train` selects training behaviour for layers that have one (Dropout, BatchNormalization). */
  forward(x: Tensor, train?: boolean): Tensor;
  backward(dout: Tensor): Tensor;
  /**
   * Only the parameter gradients, skipping dx: for a first layer, whose input gradient (that of
   * the image) nobody needs. Layers without parameters need not have it.
   */
  backwardParams?(dout: Tensor): void;
  /**
   * The shape of the output for an input of shape `x` (sizes of −1 not known yet), or a
   * ShapeError naming the layer and both shapes. `from` names where x comes from in that message
   * (`Affine#1`, `the input`).
   */
  outputShape(x: Shape, from?: string): Shape;
  /** The shape of the input the layer takes when it fixes one (Affine: N×inputs, Convolution: N×C×H×W). */
  inputShape?(): Shape;
  /** The forward pass on rows of image bytes read as byte / 255, for a first layer that can take them. */
  forwardBytes?(source: ByteRows): Tensor;
  toJSON(): LayerJSON;
}

/**
 * The last layer of a network: takes scores and targets, returns the loss, and starts
 * backpropagation with `backward(1)`.
 */
export interface LossLayer {
  readonly type: string;
  label: string;
  /** The output probabilities of the last forward. */
  readonly y: Tensor | undefined;
  /** `t` is one-hot rows (N×C) or class indices (N). */
  forward(x: Tensor, t: Tensor): number;
  backward(dout?: number): Tensor;
  toJSON(): LayerJSON;
}

/** A layer in the model JSON: `{ "type": "Affine", "W": [[…]], "b": […] }`. */
export interface LayerJSON {
  type: string;
  [key: string]: unknown;
}

/** What building a layer from its JSON may need besides the JSON. */
export interface LayerContext {
  dtype: DType;
  /** Draws Dropout masks in training. */
  rng: Rng;
}

/**
 * Everything about one layer type that is not about one layer: what the registry
 * (`registry.ts`) knows it by. A layer class has these as its static members, so that the model
 * JSON, shapes, `explain`, `check` and ONNX never switch on classes.
 */
export interface LayerType {
  /** The model JSON's `type`, the book's class name. */
  readonly type: string;
  /** Builds the layer from its JSON, checking every field (`json` names the field in its errors). */
  fromJSON(json: JsonFields, context: LayerContext): Layer | LossLayer;
  /**
   * Its JSON form by example, and the shape of an input batch that layer takes: what `--help` and
   * the docs show, and what the tests of every registered layer run.
   */
  readonly example: { json: LayerJSON; input: readonly number[] };
  /** How `explain` names the layer's values and shows its steps, and how `check` recomputes them. */
  readonly steps: LayerSteps;
  /** Its ONNX form, where it has one. */
  readonly onnx?: OnnxForm;
  /** A loss layer, which ends a network. */
  readonly loss?: boolean;
}

/**
 * Checks the gradient a backward receives: forward must have run, and dout must have the shape of
 * the output it is the gradient of.
 */
export function checkDout(label: string, dout: Tensor, outputShape: readonly number[] | undefined): readonly number[] {
  if (!outputShape) throw new ShapeError(`${label}.backward: called before forward`);
  if (!sameShape(dout.shape, outputShape)) {
    throw new ShapeError(`${label}.backward: dout is ${formatShape(dout.shape)}, expected ${formatShape(outputShape)} like the output`);
  }
  return outputShape;
}

/** The number of features per example of a shape N×…: −1 when any of them is not known. */
export function featuresOf(shape: Shape): number {
  let f = 1;
  for (let i = 1; i < shape.length; i++) {
    if (shape[i] === ANY) return ANY;
    f *= shape[i];
  }
  return f;
}
