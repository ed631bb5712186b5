import type { JsonFields } from '../io/json-fields.js';
import { sameOperator } from '../io/onnx-graph.js';
import { mul, sigmoidBackward, sigmoid as sigmoidOf } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON, type Shape } from './layer.js';
import { each, type LayerSteps, op, type StepKind } from './steps.js';

// a = σ(z); dz = da ⊙ a(1 − a), the derivative from the output. A learner who takes it of z instead
// computes da ⊙ z(1 − z): the slip check names.
const sigmoid: StepKind = {
  formula: ['σ(', op(0), ')'],
  compute: ([z]) => each(z, (v) => 1 / (1 + Math.exp(-v))),
};
const dSigmoid: StepKind = {
  formula: [op(0), ' ⊙ ', op(1), '(1 − ', op(1), ')'],
  compute: ([da, a]) =>
    mul(
      da,
      each(a, (v) => v * (1 - v)),
    ),
  slips: ([da, , z]) => [
    {
      diagnosis: 'sigmoid-derivative-of-z',
      value: () =>
        mul(
          da,
          each(z, (v) => v * (1 - v)),
        ),
      formula: [op(0), ' ⊙ ', op(2), '(1 − ', op(2), ')'],
    },
  ],
};

/**
 * The sigmoid activation σ(x) = 1 / (1 + e^(−x)); its backward uses the output it kept:
 * σ'(x) = σ(x)(1 − σ(x)).
 *
 * @example
 * new Sigmoid().forward(Tensor.from([[0.9, 0.4]])).toArray(); // [[0.7109…, 0.5986…]]
 */
export class Sigmoid implements Layer {
  static readonly type = 'Sigmoid';
  readonly type = Sigmoid.type;
  label = 'Sigmoid';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = 1 / (1 + e^(−x))
  forward(x: Tensor): Tensor {
    this.out = sigmoidOf(x, this.out);
    return this.out;
  }

  // dx = dout ⊙ out(1 − out)
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    this.dx = sigmoidBackward(this.out as Tensor, dout, this.dx);
    return this.dx;
  }

  outputShape(x: Shape): Shape {
    return x;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }

  /** Its JSON form by example, and the shape of an input batch it takes. */
  static readonly example = { json: { type: 'Sigmoid' }, input: [2, 3] };

  static fromJSON(_json: JsonFields): Sigmoid {
    return new Sigmoid();
  }

  // the input z is read too, to recognise a derivative taken of it
  static readonly steps: LayerSteps = {
    output: 'a',
    forward: [{ kind: sigmoid, reads: ['x'] }],
    backward: [{ of: 'x', kind: dSigmoid, reads: ['dout', 'out', 'x'] }],
  };

  static readonly onnx = sameOperator(Sigmoid.type);
}
