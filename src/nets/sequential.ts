import { InputError, ScratchnetError } from '../errors.js';
import type { Layer, LayerJSON, LossLayer } from '../layers/layer.js';
import { argmaxRows } from '../tensor/ops.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { numericalGradient } from './numerical-gradient.js';

/** Parameters or gradients of a network by the book's names: `W1`, `b1`, `W2`, `b2`, … */
export type ParamDict = Record<string, Tensor>;

export interface GradientOptions {
  /** Training behaviour for layers that have one (default true). */
  train?: boolean;
  /** Also compute dx, the gradient of the input (default false). */
  inputGradient?: boolean;
}

export interface SequentialOptions {
  /** λ of weight decay: the loss gains λ/2·ΣW² over every weight W, each gradient λW (default 0). */
  weightDecay?: number;
  /** The shape of one example the first layer takes, e.g. [1, 28, 28] for a convolutional net. */
  inputShape?: readonly number[];
}

/** A network in the model JSON's form. */
export interface ModelJSON {
  layers: LayerJSON[];
}

/**
 * A network as a list of layers whose last one is the loss layer, as the book's
 * `OrderedDict` of layers plus `lastLayer`. Parameters are named by the book's rule: the k-th
 * layer with weights has `Wk`, `bk`, and the parameters of the layers after it take the same k:
 * a BatchNormalization after the first Affine has `gamma1`, `beta1`, as in the book's
 * MultiLayerNetExtend.
 *
 * @example
 * const net = new Sequential([affine1, new Sigmoid(), affine2], new SoftmaxWithLoss());
 * net.loss(x, t);          // forward through every layer, then the loss
 * const grads = net.gradient(x, t); // { W1, b1, W2, b2 } by backprop
 */
export class Sequential {
  readonly layers: Layer[];
  readonly lastLayer: LossLayer;
  /** Every parameter by its network name; the tensors are the layers' own (updates change the net). */
  readonly params: ParamDict = {};
  private readonly names: { layer: Layer; local: string; name: string }[] = [];
  /** λ of weight decay, as the book's MultiLayerNet's `weight_decay_lambda`. */
  readonly weightDecay: number;
  /**
   * The shape of one example the network takes when it is not a flat row (N×C×H×W for
   * convolutions): callers holding N×(C·H·W) batches view them as N × this.
   */
  readonly inputShape: readonly number[] | undefined;

  /** The float type of the parameters (float64 for a network without any), which its inputs should have. */
  get dtype(): DType {
    return Object.values(this.params)[0]?.dtype ?? 'float64';
  }

  constructor(layers: Layer[], lastLayer: LossLayer, { weightDecay = 0, inputShape }: SequentialOptions = {}) {
    if (!(weightDecay >= 0) || !Number.isFinite(weightDecay))
      throw new InputError(`weight decay λ is ${weightDecay}, expected a number ≥ 0`);
    this.layers = layers;
    this.lastLayer = lastLayer;
    this.weightDecay = weightDecay;
    this.inputShape = inputShape;
    let k = 0;
    layers.forEach((layer, i) => {
      layer.label = `${layer.type}#${i + 1}`;
      if ('W' in layer.params) k++;
      for (const local of Object.keys(layer.params)) {
        const name = `${local}${k}`;
        if (name in this.params) throw new ScratchnetError(`Sequential: two parameters would be named ${name}`);
        this.params[name] = (layer.params as ParamDict)[local];
        this.names.push({ layer, local, name });
      }
    });
    lastLayer.label = `${lastLayer.type}#${layers.length + 1}`;
  }

  /**
   * The scores before the softmax (the book's `predict`). The returned tensor belongs to the last
   * layer and is overwritten by the next forward pass.
   */
  forward(x: Tensor, train = false): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out, train);
    return out;
  }

  /** The scores before the softmax, as a tensor of the caller's own. */
  predict(x: Tensor, train = false): Tensor {
    return this.forward(x, train).clone();
  }

  /** The loss on (x, t); t is one-hot rows or class indices. With weight decay, + λ/2·ΣW² over every W. */
  loss(x: Tensor, t: Tensor, train = false): number {
    return this.lastLayer.forward(this.forward(x, train), t) + this.weightDecayLoss();
  }

  // λ/2 · Σ_k Σ Wk², the book's MultiLayerNet.loss
  private weightDecayLoss(): number {
    if (this.weightDecay === 0) return 0;
    let sum = 0;
    for (const { layer, local } of this.names) {
      if (local !== 'W') continue;
      const w = (layer.params as ParamDict).W.data;
      for (let i = 0; i < w.length; i++) sum += w[i] * w[i];
    }
    return 0.5 * this.weightDecay * sum;
  }

  /** The fraction of rows whose largest score is at the target class. */
  accuracy(x: Tensor, t: Tensor): number {
    const predicted = argmaxRows(this.forward(x));
    const n = predicted.length;
    const labels = t.rank === 2 ? argmaxRows(t) : t.data;
    let correct = 0;
    for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct++;
    return n === 0 ? 0 : correct / n;
  }

  /**
   * Backpropagation: one forward pass, then `backward` through every layer in reverse. Returns the
   * gradient of every parameter by name (the layers' own buffers, overwritten by the next pass;
   * with weight decay each dW has λW added) and leaves the loss in `lastLoss`. dx, the gradient of the input, is computed only when
   * `inputGradient` is set (training never needs it) and left in `lastInputGradient`.
   */
  gradient(x: Tensor, t: Tensor, { train = true, inputGradient = false }: GradientOptions = {}): ParamDict {
    this.lastLoss = this.loss(x, t, train);
    let dout = this.lastLayer.backward(1);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (i === 0 && !inputGradient && layer.backwardParams) layer.backwardParams(dout);
      else dout = layer.backward(dout);
    }
    this.lastInputGradient = inputGradient ? dout : undefined;
    const grads: ParamDict = {};
    for (const { layer, local, name } of this.names) {
      const grad = (layer.grads as ParamDict)[local];
      // dW + λW (the layer's dW was overwritten by this pass, so λW is added once)
      if (local === 'W' && this.weightDecay > 0) {
        const w = (layer.params as ParamDict).W.data;
        for (let i = 0; i < w.length; i++) grad.data[i] += this.weightDecay * w[i];
      }
      grads[name] = grad;
    }
    return grads;
  }

  /**
   * The first layer whose output on x (inference) holds a number that is not finite, and that
   * number; undefined when every output is finite. The layer to name when a loss or a score is NaN.
   *
   * @example
   * net.firstNonFinite(x); // { layer: Affine#1, value: Infinity }
   */
  firstNonFinite(x: Tensor): { layer: Layer; value: number } | undefined {
    let out = x;
    for (const layer of this.layers) {
      out = layer.forward(out, false);
      const value = out.data.find((v) => !Number.isFinite(v));
      if (value !== undefined) return { layer, value };
    }
    return undefined;
  }

  /**
   * Checks that what the network gives x is finite: a NaN or an infinity from finite inputs (weights
   * that overflow float64) is one InputError naming the first layer that gives it.
   *
   * @example
   * net.checkFinite(x, scores); // throws `Affine#1 gives Infinity from finite inputs, …`
   */
  checkFinite(x: Tensor, values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      const found = this.firstNonFinite(x);
      const where = found ? `${found.layer.label} gives ${found.value}` : `${this.lastLayer.label} gives ${values[i]}`;
      throw new InputError(`${where} from finite inputs, expected finite numbers (its weights or the inputs overflow float64)`);
    }
  }

  /** The network name of each parameter of `layer` by its own name: `{ W: 'W2', b: 'b2' }`. */
  paramNames(layer: Layer): Record<string, string> {
    return Object.fromEntries(this.names.filter((n) => n.layer === layer).map((n) => [n.local, n.name]));
  }

  /** The loss of the last {@link Sequential.gradient} call. */
  lastLoss = Number.NaN;
  /** dx of the last {@link Sequential.gradient} call. */
  lastInputGradient: Tensor | undefined;

  /** The gradient of every parameter by central differences in float64 (slow: for checking). */
  numericalGradient(x: Tensor, t: Tensor, train = false): ParamDict {
    const grads: ParamDict = {};
    for (const [name, param] of Object.entries(this.params)) grads[name] = numericalGradient(() => this.loss(x, t, train), param);
    return grads;
  }

  toJSON(): ModelJSON {
    return { layers: [...this.layers.map((layer) => layer.toJSON()), this.lastLayer.toJSON()] };
  }
}
