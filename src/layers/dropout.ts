import { formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import type { OnnxForm } from '../io/onnx-graph.js';
import { Rng } from '../tensor/rng.js';
import { reuse, type Tensor } from '../tensor/tensor.js';
import { checkDout, type Layer, type LayerContext, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, shown } from './steps.js';

/**
 * The book's Dropout: in training each unit is kept when a uniform draw exceeds `ratio` (a fresh
 * seeded mask every forward) and the kept units pass unchanged; in inference every unit passes,
 * scaled by 1 − ratio, the fraction kept in training on average.
 *
 * @example
 * const dropout = new Dropout(0.5, new Rng(0));
 * dropout.forward(x, true);  // about half of x zeroed
 * dropout.forward(x, false); // x · 0.5
 */
export class Dropout implements Layer {
  static readonly type = 'Dropout';
  readonly type = Dropout.type;
  label = 'Dropout';
  readonly params = {};
  readonly grads = {};
  /** 1 where the unit was kept in the last training forward. */
  private mask = new Uint8Array(0);
  private fixed = false;
  private train = false;
  private shape: readonly number[] | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(
    readonly ratio = 0.5,
    private readonly rng = new Rng(0),
  ) {
    if (!(ratio >= 0 && ratio < 1))
      throw new InputError(`${this.label}: ratio is ${ratio}, expected a number from 0 up to (not including) 1`);
  }

  /**
   * Fixes the mask (1 = keep) that training forwards use, instead of drawing a new one each time:
   * for gradient checks, which run forward many times. `undefined` goes back to drawing.
   */
  useMask(mask: Uint8Array | undefined): void {
    this.fixed = mask !== undefined;
    if (mask) this.mask = mask.slice();
  }

  // training: out = x ⊙ mask, mask = (uniform > ratio); inference: out = x · (1 − ratio)
  forward(x: Tensor, train = false): Tensor {
    const out = reuse(this.out, x.shape, x.dtype);
    const xd = x.data;
    const od = out.data;
    if (train) {
      if (this.fixed && this.mask.length !== x.size) {
        throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)} but the fixed mask has ${this.mask.length} entries`);
      }
      if (!this.fixed) {
        if (this.mask.length !== x.size) this.mask = new Uint8Array(x.size);
        for (let i = 0; i < x.size; i++) this.mask[i] = this.rng.uniform() > this.ratio ? 1 : 0;
      }
      const mask = this.mask;
      for (let i = 0; i < xd.length; i++) od[i] = mask[i] ? xd[i] : 0;
    } else {
      const keep = 1 - this.ratio;
      for (let i = 0; i < xd.length; i++) od[i] = xd[i] * keep;
    }
    this.train = train;
    this.shape = x.shape;
    this.out = out;
    return out;
  }

  // training: dx = dout ⊙ mask; inference: dx = dout · (1 − ratio)
  backward(dout: Tensor): Tensor {
    const shape = checkDout(this.label, dout, this.shape);
    const dx = reuse(this.dx, shape, dout.dtype);
    const gd = dout.data;
    const dd = dx.data;
    if (this.train) {
      const mask = this.mask;
      for (let i = 0; i < gd.length; i++) dd[i] = mask[i] ? gd[i] : 0;
    } else {
      const keep = 1 - this.ratio;
      for (let i = 0; i < gd.length; i++) dd[i] = gd[i] * keep;
    }
    this.dx = dx;
    return dx;
  }

  outputShape(x: Shape): Shape {
    return x;
  }

  toJSON(): LayerJSON {
    return { type: this.type, ratio: this.ratio };
  }

  /** Its JSON form by example, and the shape of an input batch it takes. */
  static readonly example = { json: { type: 'Dropout', ratio: 0.5 }, input: [2, 3] };

  static fromJSON(json: JsonFields, { rng }: LayerContext): Dropout {
    return new Dropout(json.number('ratio', { min: 0, below: 1 }), rng);
  }

  // its output is m1, m2, …; its steps are shown with the values backprop computes
  static readonly steps: LayerSteps = {
    output: 'm',
    forward: [{ kind: shown('dropout(', op(0), ')'), reads: ['x'] }],
    backward: [{ of: 'x', kind: shown('Dropout.backward(', op(0), ')'), reads: ['dout'] }],
  };

  // inference, as the book's: out = x·(1 − ratio)
  static readonly onnx: OnnxForm<Dropout> = {
    export(layer, g, _path, prefix) {
      g.op('Mul', [g.constant(`${prefix}.keep`, [], [1 - layer.ratio])]);
    },
  };
}
