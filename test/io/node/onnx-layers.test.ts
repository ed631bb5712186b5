import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonFields } from '../../../src/io/json-fields.js';
import { modelFromJSON } from '../../../src/io/model-json.js';
import { modelToOnnx } from '../../../src/io/node/onnx-export.js';
import { IMPORTED_OPERATORS, modelFromOnnx } from '../../../src/io/node/onnx-import.js';
import type { Layer } from '../../../src/layers/layer.js';
import { layerTypes } from '../../../src/layers/registry.js';
import { classProbabilities } from '../../../src/nets/probabilities.js';
import { Rng } from '../../../src/tensor/rng.js';
import { assertClose } from '../../helpers/close.js';
import { randomTensor } from '../../helpers/gradcheck.js';
import { runOnnx } from '../../helpers/onnx.js';

// Every registered layer type with an ONNX form, exported after its example and an Affine, runs in
// onnxruntime and gives what scratchnet's inference gives; the types that import come back as well.

for (const type of [...layerTypes.values()].filter((t) => !t.loss && t.onnx?.export)) {
  test(`${type.type}: exported, onnxruntime gives scratchnet's probabilities; imported back where it can be, the same again`, async () => {
    const layer = type.fromJSON(new JsonFields(type.example.json, 'example'), { dtype: 'float64', rng: new Rng(1) }) as Layer;
    const x = randomTensor([...type.example.input], 8);
    const features = layer
      .outputShape(x.shape)
      .slice(1)
      .reduce((a, b) => a * b, 1);
    const json = {
      layers: [
        type.example.json,
        { type: 'Affine', W: randomTensor([features, 3], 9).toArray(), b: [0.1, 0, -0.1] },
        { type: 'SoftmaxWithLoss' },
      ],
    };
    const ours = classProbabilities(modelFromJSON(json), x);
    const bytes = modelToOnnx(json);
    const theirs = await runOnnx(bytes, x.data, [...x.shape]);
    assertClose(
      [...Array(x.shape[0]).keys()].map((i) => Array.from(theirs.subarray(3 * i, 3 * i + 3))),
      ours,
      1e-5,
    );
    if (Object.keys(type.onnx?.import ?? {}).length > 0) {
      assert.ok(Object.keys(type.onnx?.import ?? {}).every((op) => IMPORTED_OPERATORS.includes(op)));
      const back = modelFromJSON(modelFromOnnx(bytes, `${type.type}.onnx`));
      assert.equal(back.layers[0].type, type.type);
      assertClose(classProbabilities(back, x), ours, 1e-5);
    }
  });
}
