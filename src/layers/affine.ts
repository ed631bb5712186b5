import type { ByteRows } from '../backend/kernels.js';
import { formatShape, InputError, ShapeError } from '../errors.js';
import type { JsonFields } from '../io/json-fields.js';
import type { Constant, OnnxForm, OnnxNode } from '../io/onnx-graph.js';
import { addRowVector, matmul, matmulNormalizedBytes, sumRows } from '../tensor/ops.js';
import { Tensor } from '../tensor/tensor.js';
import { ANY, checkDout, featuresOf, type Layer, type LayerContext, type LayerJSON, type Shape } from './layer.js';
import { type LayerSteps, op, rows, type StepKind } from './steps.js';

// The steps of the Affine layer, as explain shows them and check recomputes them.
const affine: StepKind = {
  formula: [op(0), '·', op(1), ' + ', op(2)],
  compute: ([x, W, b]) => addRowVector(matmul(rows(x), W), b),
};
const dW: StepKind = {
  formula: [op(0, true), '·', op(1)],
  compute: ([x, dout]) => matmul(rows(x), rows(dout), { transA: true }),
  slips: ([x, dout]) => [
    { diagnosis: 'missing-transpose', value: () => matmul(rows(x), rows(dout)), formula: [op(0), '·', op(1)] },
    { diagnosis: 'missing-transpose', value: () => matmul(rows(dout), rows(x), { transA: true }), formula: [op(1, true), '·', op(0)] },
  ],
};
const db: StepKind = { formula: ['Σ ', op(0)], compute: ([dout]) => sumRows(rows(dout)), sumsOverBatch: true };
const dInput: StepKind = {
  formula: [op(0), '·', op(1, true)],
  compute: ([dout, W]) => matmul(rows(dout), W, { transB: true }),
  slips: ([dout, W]) => [{ diagnosis: 'missing-transpose', value: () => matmul(rows(dout), W), formula: [op(0), '·', op(1)] }],
};

/**
 * The fully connected layer: out = x·W + b, with W of inputs × outputs.
 * Input with more than two axes (N×C×H×W) is read as N×(C·H·W), as in the book.
 *
 * @example
 * const affine = new Affine(Tensor.from([[0.1, -0.2], [0.4, 0.3]]), Tensor.from([0, 0]));
 * affine.forward(Tensor.from([[1, 2]])).toArray(); // [[0.9, 0.4]]
 */
export class Affine implements Layer {
  static readonly type = 'Affine';
  readonly type = Affine.type;
  label = 'Affine';
  readonly params: { W: Tensor; b: Tensor };
  readonly grads: { W: Tensor; b: Tensor };
  private x: Tensor | undefined;
  private originalShape: readonly number[] = [];
  private out: Tensor | undefined;
  private outOfBytes: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(W: Tensor, b: Tensor) {
    if (W.rank !== 2) throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)}, expected a matrix of inputs × outputs`);
    if (b.rank !== 1 || b.size !== W.shape[1]) {
      throw new ShapeError(`${this.label}: W is ${formatShape(W.shape)} but b is ${formatShape(b.shape)}, expected b of ${W.shape[1]}`);
    }
    this.params = { W, b };
    this.grads = { W: Tensor.zeros(W.shape, W.dtype), b: Tensor.zeros(b.shape, b.dtype) };
  }

  // out = x·W + b
  forward(x: Tensor): Tensor {
    const W = this.params.W;
    if (x.rank < 2) throw new ShapeError(`${this.label}.forward: x is ${formatShape(x.shape)}, expected a batch N×${W.shape[0]}`);
    const x2 = x.rank === 2 ? x : x.reshape([x.shape[0], -1]);
    if (x2.shape[1] !== W.shape[0]) {
      throw new ShapeError(
        `${this.label}.forward: x is ${formatShape(x.shape)} but W is ${formatShape(W.shape)}, expected x to have ${W.shape[0]} features`,
      );
    }
    this.originalShape = x.shape;
    this.x = x2;
    this.out = matmul(x2, W, { out: this.out, bias: this.params.b });
    return this.out;
  }

  // out = (bytes / 255)·W + b: the forward of images as they are stored, for inference (nothing is
  // kept for a backward, and the buffers of training are left as they are)
  forwardBytes(source: ByteRows): Tensor {
    this.outOfBytes = matmulNormalizedBytes(source, this.params.W, this.params.b, this.outOfBytes);
    return this.outOfBytes;
  }

  // dW = xᵀ·dout, db = Σ dout over the batch, dx = dout·Wᵀ
  backward(dout: Tensor): Tensor {
    this.backwardParams(dout);
    this.dx = matmul(dout, this.params.W, { transB: true, out: this.dx });
    return this.dx.reshape(this.originalShape);
  }

  // dW = xᵀ·dout, db = Σ dout over the batch
  backwardParams(dout: Tensor): void {
    checkDout(this.label, dout, this.out?.shape);
    matmul(this.x as Tensor, dout, { transA: true, out: this.grads.W });
    sumRows(dout, this.grads.b);
  }

  // N×… of W's rows features → N×outputs
  outputShape(x: Shape, from = 'the input'): Shape {
    const W = this.params.W;
    const features = featuresOf(x);
    if (x.length < 2 || (features !== ANY && features !== W.shape[0])) {
      const spatial = x.length > 2 ? ` (${formatShape(x.slice(1))})` : '';
      throw new ShapeError(
        `${this.label}: W is ${formatShape(W.shape)} but ${from} gives ${features} features${spatial}, expected W with ${features} rows`,
      );
    }
    return [x[0], W.shape[1]];
  }

  inputShape(): Shape {
    return [ANY, this.params.W.shape[0]];
  }

  toJSON(): LayerJSON {
    return { type: this.type, W: this.params.W.toArray(), b: this.params.b.toArray() };
  }

  /** Its JSON form by example, and the shape of an input batch it takes. */
  static readonly example = {
    json: {
      type: 'Affine',
      W: [
        [0.1, -0.2],
        [0.4, 0.3],
        [0.5, -0.1],
      ],
      b: [0.1, -0.1],
    },
    input: [2, 3],
  };

  static fromJSON(json: JsonFields, { dtype }: LayerContext): Affine {
    return new Affine(json.tensor('W', 2, dtype), json.tensor('b', 1, dtype));
  }

  // z = x·W + b; dW = xᵀ·dz, db = Σ dz, dx = dz·Wᵀ (the output is z1, z2, … as the weights W1, W2, …)
  static readonly steps: LayerSteps = {
    output: 'z',
    forward: [{ kind: affine, reads: ['x', 'W', 'b'], section: 'layer' }],
    backward: [
      { of: 'W', kind: dW, reads: ['x', 'dout'] },
      { of: 'b', kind: db, reads: ['dout'] },
      { of: 'x', kind: dInput, reads: ['dout', 'W'] },
    ],
  };

  static readonly onnx: OnnxForm<Affine> = {
    // out = x·W + b: Gemm with B = W (inputs × outputs, no transpose) and C = b
    export(layer, g, _path, prefix) {
      const { W, b } = layer.params;
      g.flatten();
      g.op('Gemm', [g.constant(`${prefix}.W`, W.shape, W.data), g.constant(`${prefix}.b`, b.shape, b.data)], [], 2);
    },
    import: {
      // Y = alpha·A·B' + beta·C with B' = B or Bᵀ: W = alpha·B', b = beta·C
      Gemm(node, chain) {
        if (node.int('transA', 0) !== 0) throw new InputError(`${node.path} has transA = 1, expected 0 (x·W)`);
        const B = matrixConstant(node, 'B');
        const W = matrix(B, node.int('transB', 0) !== 0, node.float('alpha', 1));
        const outputs = W[0].length;
        const c = node.inputs[2];
        const b = c ? bias(node.constant(c, 'C'), outputs, node.float('beta', 1), node.path) : new Array<number>(outputs).fill(0);
        chain.layers.push({ type: 'Affine', W, b });
      },
      // x·W, whose bias an Add right after it completes
      MatMul(node, chain) {
        const B = matrixConstant(node, 'the weight');
        const layer = { type: 'Affine', W: matrix(B, false, 1), b: new Array<number>(B.dims[1]).fill(0) };
        chain.layers.push(layer);
        chain.pending = layer;
      },
      Add(node, chain) {
        const layer = chain.pending;
        if (layer?.type !== 'Affine')
          throw new InputError(`${node.path} adds outside a MatMul + Add pair, expected Add only as a MatMul's bias`);
        const b = layer.b as number[];
        b.splice(0, b.length, ...bias(node.constant(node.inputs[1], 'bias'), b.length, 1, node.path));
      },
    },
  };
}

function matrixConstant(node: OnnxNode, what: string): Constant {
  const B = node.constant(node.inputs[1], 'B');
  if (B.dims.length !== 2) throw new InputError(`${node.path}: ${what} is ${formatShape(B.dims)}, expected a matrix`);
  return B;
}

/** W as inputs × outputs from B (transposed when Gemm's transB is set), scaled by alpha. */
function matrix(B: Constant, transposed: boolean, alpha: number): number[][] {
  const [r, c] = B.dims;
  const height = transposed ? c : r;
  const width = transposed ? r : c;
  const W: number[][] = [];
  for (let i = 0; i < height; i++) {
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) row[j] = alpha * B.data[transposed ? j * c + i : i * c + j];
    W.push(row);
  }
  return W;
}

/** A bias of `n` values from a tensor of n (or 1×n) values, or one value broadcast; scaled by beta. */
function bias(C: Constant, n: number, beta: number, path: string): number[] {
  if (C.data.length === n && C.dims.filter((d) => d !== 1).length <= 1) return Array.from(C.data, (v) => beta * v);
  if (C.data.length === 1) return new Array<number>(n).fill(beta * C.data[0]);
  throw new InputError(`${path}: the bias is ${formatShape(C.dims)}, expected ${n} values`);
}
