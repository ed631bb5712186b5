// The ONNX graph as layers see it: a builder that export adds each layer's nodes to, and the view of
// one node that import hands a layer's importer. Plain TypeScript: the protobuf encoding and decoding
// of the file live in src/io/node/ (they need protobufjs, a dependency the core does not take).
import type { LayerJSON } from '../layers/layer.js';

/** ONNX's TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export const ONNX_DOUBLE = 11;
/** AttributeProto.AttributeType values used here. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** One attribute as ONNX writes it. */
export interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}

export const intAttribute = (name: string, i: number): Attribute => ({ name, type: ATTR.INT, i });
export const intsAttribute = (name: string, ints: number[]): Attribute => ({ name, type: ATTR.INTS, ints });
export const floatAttribute = (name: string, f: number): Attribute => ({ name, type: ATTR.FLOAT, f });

/** Where the graph is: the value the next layer reads, and whether it is N×features or N×C×H×W. */
export interface Current {
  name: string;
  rank: 2 | 4;
}

/**
 * Builds an ONNX graph node by node, each layer adding its nodes after the current value. Tensors
 * are float32 (what every onnxruntime kernel takes), stored as raw little-endian bytes.
 */
export class GraphBuilder {
  readonly nodes: { input: string[]; output: string[]; name: string; op_type: string; attribute: Attribute[] }[] = [];
  readonly initializers: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[] = [];
  current: Current;
  private count = 0;

  constructor(input: Current) {
    this.current = input;
  }

  /** A float32 constant of the given shape; returns its name. */
  constant(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    const raw = new Uint8Array(4 * values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    this.initializers.push({ name, dims: [...dims], data_type: ONNX_FLOAT, raw_data: raw });
    return name;
  }

  /** Adds a node reading the current value (and `extra` inputs); its output becomes current. */
  op(opType: string, extra: string[] = [], attributes: Attribute[] = [], rank = this.current.rank, output?: string): void {
    const out = output ?? `${opType.toLowerCase()}_${++this.count}`;
    this.nodes.push({
      input: [this.current.name, ...extra],
      output: [out],
      name: `${opType}_${this.count}`,
      op_type: opType,
      attribute: attributes,
    });
    this.current = { name: out, rank };
  }

  /** Adds a node named `name` that reads the current value but leaves it current (its output is used later). */
  side(opType: string, output: string, name: string): void {
    this.nodes.push({ input: [this.current.name], output: [output], name, op_type: opType, attribute: [] });
  }

  /** N×C×H×W → N×(C·H·W), as the book's Affine reads an image batch. */
  flatten(): void {
    if (this.current.rank !== 2) this.op('Flatten', [], [intAttribute('axis', 1)], 2);
  }
}

/** A constant of an imported graph (an initializer or a Constant node's value), as float64. */
export interface Constant {
  dims: number[];
  data: Float64Array;
}

/** One node of an imported graph, as a layer's importer reads it. */
export interface OnnxNode {
  op: string;
  /** How errors name the node: `mlp.onnx: node 3 ("Gemm" "fc1")`. */
  path: string;
  /** Its inputs' names; input 0 (for Add, the one that is not a constant) is the chain's current value. */
  inputs: readonly string[];
  /** An integer attribute, or `fallback` when the node has none. */
  int(name: string, fallback: number): number;
  /** A float attribute, or `fallback`. */
  float(name: string, fallback: number): number;
  /** The graph constant named `input` (`what` names it in errors: `B`, `bias`). */
  constant(input: string | undefined, what: string): Constant;
}

/** The model an import builds, layer by layer. */
export interface ImportChain {
  readonly layers: LayerJSON[];
  /**
   * What the node before this one left for it to complete (a MatMul's Affine waiting for the Add of
   * its bias); cleared after every node.
   */
  pending: LayerJSON | undefined;
}

/**
 * A layer type's ONNX form: how a layer of it becomes nodes (`export`), and which operators become
 * a layer of it (`import`). `path` names the layer in errors (`model.layers[2]`), `prefix` its
 * constants (`layers.2`).
 */
export interface OnnxForm<L = unknown> {
  export?(layer: L, g: GraphBuilder, path: string, prefix: string): void;
  import?: Record<string, (node: OnnxNode, chain: ImportChain) => void>;
}

/**
 * The ONNX form of a layer without weights or attributes that is the ONNX operator of the same name
 * (Sigmoid, Relu, Tanh), both ways.
 */
export function sameOperator(type: string): OnnxForm {
  return {
    export: (_layer, g) => g.op(type),
    import: { [type]: (_node, chain) => void chain.layers.push({ type }) },
  };
}
