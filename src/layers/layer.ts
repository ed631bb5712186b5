import { formatShape, ShapeError } from '../errors.js';
import { sameShape, type Tensor } from '../tensor/tensor.js';

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
  /** The book's class name: `Affine`, `Sigmoid`, `Relu`. */
  readonly type: string;
  /** Name used in error messages, e.g. `Affine#1` for the first layer of a network. */
  label: string;
  /** Learnable parameters by the book's names (`W`, `b`); empty for a layer without any. */
  readonly params: Record<string, Tensor>;
  /** Gradients of the loss with respect to `params`, same names and shapes; filled by `backward`. */
  readonly grads: Record<string, Tensor>;
  /** `train` selects training behaviour for layers that have one (Dropout, BatchNormalization). */
  forward(x: Tensor, train?: boolean): Tensor;
  backward(dout: Tensor): Tensor;
  /**
   * Only the parameter gradients, skipping dx: for a first layer, whose input gradient (that of
   * the image) nobody needs. Layers without parameters need not have it.
   */
  backwardParams?(dout: Tensor): void;
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
