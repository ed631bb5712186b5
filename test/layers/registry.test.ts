import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '../../src/explain/trace.js';
import { JsonFields } from '../../src/io/json-fields.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { Affine } from '../../src/layers/affine.js';
import type { Layer, LayerType } from '../../src/layers/layer.js';
import { layerType, layerTypes } from '../../src/layers/registry.js';
import { SoftmaxWithLoss } from '../../src/layers/softmax-with-loss.js';
import { Sequential } from '../../src/nets/sequential.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../helpers/close.js';
import { checkLayerGradients, randomTensor } from '../helpers/gradcheck.js';

// What every registered layer type must do, whatever it is: a new layer's file is checked by these
// as soon as its line is in src/layers/index.ts.

const build = (type: LayerType): Layer =>
  type.fromJSON(new JsonFields(type.example.json, 'example'), { dtype: 'float64', rng: new Rng(1) }) as Layer;
const layers = [...layerTypes.values()].filter((t) => !t.loss);

test('the registry holds every layer type under its JSON name, the loss layer among them', () => {
  assert.ok(layerTypes.size >= 9);
  for (const [name, type] of layerTypes) {
    assert.equal(type.type, name);
    assert.equal(type.example.json.type, name, `${name}'s example`);
  }
  assert.deepEqual(
    [...layerTypes.values()].filter((t) => t.loss).map((t) => t.type),
    ['SoftmaxWithLoss'],
  );
  assert.throws(() => layerType('__proto__'), /layer.type is "__proto__", expected one of Affine/);
});

for (const type of layers) {
  test(`${type.type}: its JSON comes back as it went, its output shape is known before forward, its backward is the numerical gradient`, () => {
    const layer = build(type);
    const again = type.fromJSON(new JsonFields(layer.toJSON(), 'again'), { dtype: 'float64', rng: new Rng(1) }) as Layer;
    assert.deepEqual(again.toJSON(), layer.toJSON());
    assert.equal(layer.type, type.type);
    const x = randomTensor([...type.example.input], 3);
    const out = layer.forward(x, false);
    assert.deepEqual(layer.outputShape(x.shape), out.shape);
    const takes = layer.inputShape?.();
    for (const [i, d] of (takes ?? []).entries())
      assert.ok(d === -1 || d === x.shape[i], `${type.type} takes ${takes}, its example ${x.shape}`);
    checkLayerGradients(layer, x);
  });

  test(`${type.type}: explain names every step it declares, and check recomputes the ones it can`, () => {
    const layer = build(type);
    const x = randomTensor([...type.example.input], 4);
    const features = layer
      .outputShape(x.shape)
      .slice(1)
      .reduce((a, b) => a * b, 1);
    const net = new Sequential([layer, new Affine(randomTensor([features, 2], 5), Tensor.zeros([2]))], new SoftmaxWithLoss());
    const tr = trace(net, x, Tensor.from(Array.from({ length: x.shape[0] }, (_, i) => i % 2)));
    const own = tr.steps.filter((s) => s.layer === layer.label);
    assert.equal(own.length, type.steps.forward.length + type.steps.backward.length);
    assert.equal(own[0].name, `${type.steps.output}1`);
    for (const step of tr.steps) {
      for (const operand of step.operands) assert.ok(tr.values.has(operand), `${step.name} reads ${operand}, which the pass has`);
      if (step.recompute) {
        const args = step.operands.map((n) => tr.values.get(n) as Tensor);
        assertClose(step.recompute(args).reshape(step.value.shape).toArray(), step.value.toArray(), 1e-10, step.name);
      }
    }
    assert.equal(tr.values.get('dx')?.shape.join('×'), x.shape.join('×'));
  });
}

test('a model of every layer type reads back from its JSON and from the model JSON', () => {
  for (const type of layers) {
    const layer = build(type);
    const x = randomTensor([...type.example.input], 6);
    const features = layer
      .outputShape(x.shape)
      .slice(1)
      .reduce((a, b) => a * b, 1);
    const json = {
      layers: [type.example.json, { type: 'Affine', W: randomTensor([features, 2], 7).toArray(), b: [0, 0] }, { type: 'SoftmaxWithLoss' }],
    };
    const net = modelFromJSON(json);
    assert.deepEqual(net.toJSON().layers[0], layer.toJSON(), type.type);
  }
});
