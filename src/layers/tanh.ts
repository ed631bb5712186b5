import type { JsonFields } from '../io/json-fields.js';
import { sameOperator } from '../io/onnx-graph.js';
import { mul, tanhBackward, tanhForward } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON, type Shape } from './layer.js';
import { each, type LayerSteps, op, type StepKind } from './steps.js';

// a = tanh(z); dz = da ⊙ (1 − a²)
const tanh: StepKind = { formula: ['tanh(', op(0), ')'], compute: ([z]) => each(z, Math.tanh) };
const dTanh: StepKind = {
  formula: [op(0), ' ⊙ (1 − ', op(1), '²)'],
  compute: ([da, a]) =>
    mul(
      da,
      each(a, (v) => 1 - v * v),
    ),
};

/**
 * The hyperbolic tangent activation (not a layer of the book, but its readers meet it next):
 * out = tanh(x), whose derivative is 1 − out².
 *
 * @example
 * new Tanh().forward(Tensor.from([[0, 1]])).toArray(); // [[0, 0.7615…]]
 */
export class Tanh implements Layer {
  static readonly type = 'Tanh';
  readonly type = Tanh.type;
  label = 'Tanh';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = tanh(x)
  forward(x: Tensor): Tensor {
    this.out = tanhForward(x, this.out);
    return this.out;
  }

  // dx = dout ⊙ (1 − out²)
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    this.dx = tanhBackward(this.out as Tensor, dout, this.dx);
    return this.dx;
  }

  outputShape(x: Shape): Shape {
    return x;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }

  /** Its JSON form by example, and the shape of an input batch it takes. */
  static readonly example = { json: { type: 'Tanh' }, input: [2, 3] };

  static fromJSON(_json: JsonFields): Tanh {
    return new Tanh();
  }

  // the input z is read too, for the slips of a derivative taken of it
  static readonly steps: LayerSteps = {
    output: 'a',
    forward: [{ kind: tanh, reads: ['x'] }],
    backward: [{ of: 'x', kind: dTanh, reads: ['dout', 'out', 'x'] }],
  };

  static readonly onnx = sameOperator(Tanh.type);
}
