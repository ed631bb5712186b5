import type { JsonFields } from '../io/json-fields.js';
import { sameOperator } from '../io/onnx-graph.js';
import { mul, reluBackward, reluForward } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON, type Shape } from './layer.js';
import { each, type LayerSteps, op, type StepKind } from './steps.js';

// a = relu(z); dz = da ⊙ [z > 0]
const relu: StepKind = { formula: ['relu(', op(0), ')'], compute: ([z]) => each(z, (v) => Math.max(0, v)) };
const dRelu: StepKind = {
  formula: [op(0), ' ⊙ ', { operand: 1, mask: true }],
  compute: ([da, z]) =>
    mul(
      da,
      each(z, (v) => (v > 0 ? 1 : 0)),
    ),
};

/**
 * The rectified linear unit: out = max(0, x). The book keeps a mask of x ≤ 0; the output is ≤ 0
 * exactly there, so backward reads it from the output instead. The gradient at exactly 0 is 0.
 *
 * @example
 * new Relu().forward(Tensor.from([[-1, 0, 2]])).toArray(); // [[0, 0, 2]]
 */
export class Relu implements Layer {
  static readonly type = 'Relu';
  readonly type = Relu.type;
  label = 'Relu';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  // out = max(0, x)
  forward(x: Tensor): Tensor {
    this.out = reluForward(x, this.out);
    return this.out;
  }

  // dx = dout where x > 0 (where out > 0), else 0
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    this.dx = reluBackward(this.out as Tensor, dout, this.dx);
    return this.dx;
  }

  outputShape(x: Shape): Shape {
    return x;
  }

  toJSON(): LayerJSON {
    return { type: this.type };
  }

  /** Its JSON form by example, and the shape of an input batch it takes. */
  static readonly example = { json: { type: 'Relu' }, input: [2, 3] };

  static fromJSON(_json: JsonFields): Relu {
    return new Relu();
  }

  static readonly steps: LayerSteps = {
    output: 'a',
    forward: [{ kind: relu, reads: ['x'] }],
    backward: [{ of: 'x', kind: dRelu, reads: ['dout', 'x'] }],
  };

  static readonly onnx = sameOperator(Relu.type);
}
