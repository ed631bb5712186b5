import { formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import type { OnnxForm } from '../io/onnx-graph.js';
import { reuse, Tensor } from '../tensor/tensor.js';
import { checkDout, featuresOf, type Layer, type LayerContext, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, shown } from './steps.js';

export interface BatchNormOptions {
  /** How much of the running statistics each training batch keeps (default 0.9, the book's). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-6, the book's `10e-7`). */
  eps?: number;
  runningMean?: Tensor;
  runningVar?: Tensor;
}

/**
 * The book's BatchNormalization: in training, every feature is normalised over the batch,
 * xn = (x − μ)/√(σ² + eps), then scaled and shifted, out = γ·xn + β, and the running mean and
 * variance move toward the batch's (r ← momentum·r + (1 − momentum)·batch); in inference the
 * running statistics stand in for the batch's. Input with more than two axes is read as
 * N×(C·H·W) as in the book: each of the C·H·W features has its own γ and β (not per channel).
 *
 * @example
 * const bn = new BatchNormalization(Tensor.from([1, 1]), Tensor.from([0, 0]));
 * bn.forward(Tensor.from([[1, 2], [3, 6]]), true).toArray(); // ≈ [[-1, -1], [1, 1]]
 */
export class BatchNormalization implements Layer {
  static readonly type = 'BatchNormalization';
  readonly type = BatchNormalization.type;
  label = 'BatchNormalization';
  readonly params: { gamma: Tensor; beta: Tensor };
  readonly grads: { gamma: Tensor; beta: Tensor };
  readonly momentum: number;
  readonly eps: number;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** The running statistics, saved with the model but not learned. */
  readonly buffers: { runningMean: Tensor; runningVar: Tensor };
  private train = false;
  private shape: readonly number[] | undefined;
  /** x − μ and (x − μ)/std of the last forward, N×D. */
  private xc: Tensor | undefined;
  private xn: Tensor | undefined;
  /** √(σ² + eps) per feature (the batch's in training, the running one in inference). */
  private std: Float64Array;
  private sums: Float64Array;
  private dmu: Float64Array;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(gamma: Tensor, beta: Tensor, { momentum = 0.9, eps = 1e-6, runningMean, runningVar }: BatchNormOptions = {}) {
    const d = gamma.size;
    if (gamma.rank !== 1 || d === 0)
      throw new ShapeError(`${this.label}: gamma is ${formatShape(gamma.shape)}, expected a vector of features`);
    const mean = runningMean ?? Tensor.zeros([d], gamma.dtype);
    const variance = runningVar ?? Tensor.zeros([d], gamma.dtype);
    for (const [name, t] of [
      ['beta', beta],
      ['runningMean', mean],
      ['runningVar', variance],
    ] as const) {
      if (t.rank !== 1 || t.size !== d) {
        throw new ShapeError(`${this.label}: gamma is ${formatShape(gamma.shape)} but ${name} is ${formatShape(t.shape)}, expected ${d}`);
      }
    }
    if (!(momentum >= 0 && momentum <= 1)) throw new InputError(`${this.label}: momentum is ${momentum}, expected a number from 0 to 1`);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new InputError(`${this.label}: eps is ${eps}, expected a positive number`);
    if (variance.data.some((v) => v < 0)) throw new InputError(`${this.label}: runningVar has a negative entry, expected variances ≥ 0`);
    this.params = { gamma, beta };
    this.grads = { gamma: Tensor.zeros([d], gamma.dtype), beta: Tensor.zeros([d], gamma.dtype) };
    this.momentum = momentum;
    this.eps = eps;
    this.runningMean = mean;
    this.runningVar = variance;
    this.buffers = { runningMean: mean, runningVar: variance };
    this.std = new Float64Array(d);
    this.sums = new Float64Array(d);
    this.dmu = new Float64Array(d);
  }

  /** The output shape for input of shape N×…: the same, whose features (all but N) must number as gamma's. */
  outputShape(xShape: Shape): Shape {
    const features = featuresOf(xShape);
    const d = this.params.gamma.size;
    if (xShape.length < 2 || (features !== -1 && features !== d)) {
      throw new ShapeError(`${this.label}: x is ${formatShape(xShape)} (${features} features) but gamma is ${d}, expected ${d} features`);
    }
    return xShape;
  }

  // training: xn = (x − μ_batch)/√(σ²_batch + eps); inference: the running μ, σ²; out = γ·xn + β
  forward(x: Tensor, train = false): Tensor {
    const d = this.params.gamma.size;
    if (x.rank < 2 || x.size !== x.shape[0] * d) {
      throw new ShapeError(
        `${this.label}.forward: x is ${formatShape(x.shape)} but gamma is ${d}, expected N×${d} (or N×… of ${d} features)`,
      );
    }
    const n = x.shape[0];
    if (train && n < 2)
      throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)}, expected a batch of at least 2 in training`);
    const xc = reuse(this.xc, [n, d], x.dtype);
    const xn = reuse(this.xn, [n, d], x.dtype);
    const out = reuse(this.out, x.shape, x.dtype);
    const xd = x.data;
    const mean = this.sums;
    const std = this.std;
    if (train) {
      mean.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += xd[i * d + j];
      for (let j = 0; j < d; j++) mean[j] /= n;
      std.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const c = xd[i * d + j] - mean[j];
          xc.data[i * d + j] = c;
          std[j] += c * c;
        }
      }
      const rm = this.runningMean.data;
      const rv = this.runningVar.data;
      const m = this.momentum;
      for (let j = 0; j < d; j++) {
        const variance = std[j] / n;
        rm[j] = m * rm[j] + (1 - m) * mean[j];
        rv[j] = m * rv[j] + (1 - m) * variance;
        std[j] = Math.sqrt(variance + this.eps);
      }
    } else {
      const rm = this.runningMean.data;
      const rv = this.runningVar.data;
      for (let j = 0; j < d; j++) std[j] = Math.sqrt(rv[j] + this.eps);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc.data[i * d + j] = xd[i * d + j] - rm[j];
    }
    const g = this.params.gamma.data;
    const b = this.params.beta.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const k = i * d + j;
        xn.data[k] = xc.data[k] / std[j];
        out.data[k] = g[j] * xn.data[k] + b[j];
      }
    }
    this.train = train;
    this.shape = x.shape;
    this.xc = xc;
    this.xn = xn;
    this.out = out;
    return out;
  }

  // dβ = Σ dout, dγ = Σ xn·dout; training: the book's chain through std and μ; inference: dx = γ·dout/std
  backward(dout: Tensor): Tensor {
    const shape = checkDout(this.label, dout, this.shape);
    const xc = this.xc as Tensor;
    const xn = this.xn as Tensor;
    const [n, d] = xc.shape;
    const gd = dout.data;
    const g = this.params.gamma.data;
    const dgamma = this.grads.gamma.data;
    const dbeta = this.grads.beta.data;
    const std = this.std;
    const dx = reuse(this.dx, shape, dout.dtype);
    const dd = dx.data;
    dgamma.fill(0);
    dbeta.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        dbeta[j] += gd[i * d + j];
        dgamma[j] += xn.data[i * d + j] * gd[i * d + j];
      }
    }
    if (!this.train) {
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) dd[i * d + j] = (g[j] * gd[i * d + j]) / std[j];
    } else {
      // dxn = γ·dout; dstd = −Σ dxn·xc/std²; dvar = dstd/(2·std); dxc = dxn/std + (2/N)·xc·dvar;
      // dμ = Σ dxc; dx = dxc − dμ/N.  Σ dxn·xc = γ·Σ dout·xc per feature.
      const dvar = this.sums;
      dvar.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) dvar[j] += gd[i * d + j] * xc.data[i * d + j];
      for (let j = 0; j < d; j++) dvar[j] = (0.5 * -((g[j] * dvar[j]) / (std[j] * std[j]))) / std[j];
      const dmu = this.dmu;
      dmu.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const k = i * d + j;
          const dxc = (g[j] * gd[k]) / std[j] + (2 / n) * xc.data[k] * dvar[j];
          dd[k] = dxc;
          dmu[j] += dxc;
        }
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) dd[i * d + j] -= dmu[j] / n;
    }
    this.dx = dx;
    return dx;
  }

  toJSON(): LayerJSON {
    return {
      type: this.type,
      gamma: this.params.gamma.toArray(),
      beta: this.params.beta.toArray(),
      momentum: this.momentum,
      eps: this.eps,
      runningMean: this.runningMean.toArray(),
      runningVar: this.runningVar.toArray(),
    };
  }

  /** Its JSON form by example (`eps` may be left out: 1e-6), and the shape of an input batch it takes. */
  static readonly example = {
    json: {
      type: 'BatchNormalization',
      gamma: [1.1, 0.9, 1],
      beta: [0.1, -0.1, 0],
      momentum: 0.9,
      eps: 1e-6,
      runningMean: [0.2, -0.1, 0.05],
      runningVar: [1.2, 0.8, 1],
    },
    input: [2, 3],
  };

  static fromJSON(json: JsonFields, { dtype }: LayerContext): BatchNormalization {
    return new BatchNormalization(json.tensor('gamma', 1, dtype), json.tensor('beta', 1, dtype), {
      momentum: json.number('momentum', { min: 0, max: 1 }),
      eps: json.number('eps', { min: Number.MIN_VALUE, fallback: 1e-6 }),
      runningMean: json.tensor('runningMean', 1, dtype),
      runningVar: json.tensor('runningVar', 1, dtype),
    });
  }

  // its output is n1, n2, …; its γ and β take the number of the layer with weights before it
  static readonly steps: LayerSteps = {
    output: 'n',
    forward: [{ kind: shown(op(1), ' ⊙ (', op(0), ' − μ) / √(σ² + ε) + ', op(2)), reads: ['x', 'gamma', 'beta'] }],
    backward: [
      { of: 'gamma', kind: shown('Σ ', op(0), ' ⊙ x̂'), reads: ['dout'] },
      { of: 'beta', kind: shown('Σ ', op(0)), reads: ['dout'] },
      { of: 'x', kind: shown('BatchNormalization.backward(', op(0), ')'), reads: ['dout'] },
    ],
  };

  // Inference: out = γ·(x − μ)/√(σ² + ε) + β per feature = x·scale + shift. The book normalises each
  // of the C·H·W features of an image batch (not each channel), so a 4-D input is flattened for the
  // Mul and Add and given its shape back after.
  static readonly onnx: OnnxForm<BatchNormalization> = {
    export(layer, g, _path, prefix) {
      const gamma = layer.params.gamma.data;
      const beta = layer.params.beta.data;
      const mean = layer.runningMean.data;
      const variance = layer.runningVar.data;
      const d = gamma.length;
      const scale = Array.from(gamma, (gm, i) => gm / Math.sqrt(variance[i] + layer.eps));
      const shift = Array.from(beta, (bt, i) => bt - mean[i] * scale[i]);
      let shape: string | undefined;
      if (g.current.rank === 4) {
        shape = `${prefix}.shape`;
        g.side('Shape', shape, `Shape_${prefix}`);
        g.flatten();
      }
      g.op('Mul', [g.constant(`${prefix}.scale`, [d], scale)], [], 2);
      g.op('Add', [g.constant(`${prefix}.shift`, [d], shift)], [], 2);
      if (shape) g.op('Reshape', [shape], [], 4);
    },
  };
}
