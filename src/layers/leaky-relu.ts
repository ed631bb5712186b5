import { InputError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import { floatAttribute, type OnnxForm } from '../io/onnx-graph.js';
import { mul } from '../tensor/ops.js';
import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerJSON, type Shape } from './layer.js';
import { each, type LayerSteps, op, type StepKind } from './steps.js';

// a = leakyrelu(z): z where z > 0, else α·z; dz = da ⊙ leakyrelu′(z), the derivative 1 where z > 0, else α
const leakyRelu: StepKind<LeakyRelu> = {
  formula: ['leakyrelu(', op(0), ')'],
  compute: ([z], { alpha }) => each(z, (v) => (v > 0 ? v : alpha * v)),
};
const dLeakyRelu: StepKind<LeakyRelu> = {
  formula: [op(0), ' ⊙ leakyrelu′(', op(1), ')'],
  compute: ([da, z], { alpha }) =>
    mul(
      da,
      each(z, (v) => (v > 0 ? 1 : alpha)),
    ),
};

/**
 * The leaky rectified linear unit: out = x where x > 0, else α·x, with a small slope α (0.01 by
 * default, as PyTorch's) so that a unit whose input is negative still passes a gradient. Not a
 * layer of the book, but the Relu's next of kin. As the book's Relu, backward reads where x > 0
 * from the output (α ≥ 0, so out > 0 exactly there); at exactly 0 the gradient is α·dout.
 *
 * @example
 * new LeakyRelu(0.1).forward(Tensor.from([[-2, 0, 3]])).toArray(); // [[-0.2, 0, 3]]
 */
export class LeakyRelu implements Layer {
  static readonly type = 'LeakyRelu';
  readonly type = LeakyRelu.type;
  label = 'LeakyRelu';
  readonly params = {};
  readonly grads = {};
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(readonly alpha = 0.01) {
    if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new InputError(`${this.label}: alpha is ${alpha}, expected a number ≥ 0`);
  }

  // out = x where x > 0, else α·x
  forward(x: Tensor): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    const { alpha } = this;
    for (let i = 0; i < out.size; i++) out.data[i] = x.data[i] > 0 ? x.data[i] : alpha * x.data[i];
    this.out = out;
    return out;
  }

  // dx = dout where out > 0, else α·dout
  backward(dout: Tensor): Tensor {
    checkDout(this.label, dout, this.out?.shape);
    const out = this.out as Tensor;
    const dx = reuse(this.dx, out.shape, dout.dtype);
    const { alpha } = this;
    for (let i = 0; i < dx.size; i++) dx.data[i] = out.data[i] > 0 ? dout.data[i] : alpha * dout.data[i];
    this.dx = dx;
    return dx;
  }

  outputShape(x: Shape): Shape {
    return x;
  }

  toJSON(): LayerJSON {
    return { type: this.type, alpha: this.alpha };
  }

  /** Its JSON form by example (`alpha` may be left out: 0.01), and the shape of an input batch it takes. */
  static readonly example = { json: { type: 'LeakyRelu', alpha: 0.1 }, input: [2, 3] };

  static fromJSON(json: JsonFields): LeakyRelu {
    return new LeakyRelu(json.number('alpha', { min: 0, fallback: 0.01 }));
  }

  // an activation: its output is a1, a2, …; the input z is read for the mask
  static readonly steps: LayerSteps<LeakyRelu> = {
    output: 'a',
    forward: [{ kind: leakyRelu, reads: ['x'] }],
    backward: [{ of: 'x', kind: dLeakyRelu, reads: ['dout', 'x'] }],
  };

  // ONNX's LeakyRelu, with alpha as its attribute
  static readonly onnx: OnnxForm<LeakyRelu> = {
    export: (layer, g) => g.op('LeakyRelu', [], [floatAttribute('alpha', layer.alpha)]),
    import: { LeakyRelu: (node, chain) => void chain.layers.push({ type: 'LeakyRelu', alpha: node.float('alpha', 0.01) }) },
  };
}
