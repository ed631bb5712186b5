/**
 * Property-based fuzzing of every loader: thousands of truncated, bit-flipped, overwritten,
 * oversized and random inputs must each give a valid result or a clean ScratchnetError — never
 * another exception, a hang, or an allocation out of proportion to the input. How long the inputs
 * take is measured by `node bench/fuzz.mjs`, not here.
 *
 * FUZZ_RUNS sets the runs per loader (default 150, a couple of seconds in all):
 *   FUZZ_RUNS=100000 node --test dist/test/io/fuzz.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { digitInput } from '../../src/data/digit-image.js';
import { parseIdx } from '../../src/data/idx.js';
import { mnistFromIdx } from '../../src/data/mnist.js';
import { ScratchnetError } from '../../src/errors.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import { modelFromSafetensors, modelToSafetensors } from '../../src/io/model-safetensors.js';
import { modelJSONFromBytes } from '../../src/io/node/model-files.js';
import { modelToOnnx } from '../../src/io/node/onnx-export.js';
import { modelFromOnnx } from '../../src/io/node/onnx-import.js';
import { decodePng } from '../../src/io/node/png.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { repoRoot } from '../helpers/fixtures.js';
import { fixCrcs, mutations } from '../helpers/mutations.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** A loader that hangs fails its test after this long instead of holding the run forever. */
const HANG_MS = 10 * 60 * 1000;
/** What no message may hold: C0 and C1 control characters, DEL, line separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the test looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Nor make live buffers grow by more than this. */
const MAX_GROWTH = 64 * 1024 * 1024;

const fixtureBytes = (...path: string[]) => new Uint8Array(readFileSync(join(repoRoot, 'test', 'fixtures', ...path)));
const smallNet = new TwoLayerNet(4, 3, 2, 0.5, 'sigmoid', { rng: new Rng(1) });

/**
 * Runs the loader on every input: a result or a ScratchnetError, without a large allocation. The
 * good files it starts from must load, and some broken ones must be refused: the checks are reached.
 */
function fuzz(name: string, seeds: Uint8Array[], load: (bytes: Uint8Array) => unknown, fix?: (bytes: Uint8Array) => Uint8Array): void {
  test(`fuzz: ${name} gives a result or a ScratchnetError for any input (${RUNS} runs)`, { timeout: HANG_MS }, () => {
    for (const seed of seeds) load(seed);
    let refused = 0;
    fc.assert(
      fc.property(mutations(seeds, fix), (bytes) => {
        const before = process.memoryUsage().arrayBuffers;
        try {
          load(bytes);
        } catch (error) {
          if (!(error instanceof ScratchnetError)) throw error;
          refused++;
          assert.doesNotMatch(error.message, CONTROL, `a one-line message with no control characters: ${JSON.stringify(error.message)}`);
        }
        const growth = process.memoryUsage().arrayBuffers - before;
        assert.ok(growth < MAX_GROWTH, `${bytes.length} bytes grew buffers by ${growth}`);
      }),
      { numRuns: RUNS, includeErrorInReport: true },
    );
    assert.ok(refused > 0, `none of ${RUNS} broken inputs was refused`);
  });
}

// safetensors: the model bytes, float64 and float32.
fuzz('modelFromSafetensors', [modelToSafetensors(smallNet), modelToSafetensors(smallNet, { dtype: 'float32' })], (bytes) =>
  modelFromSafetensors(bytes),
);

// Model files as the CLI reads them: JSON text or safetensors, told apart by content.
fuzz('model JSON text (modelJSONFromBytes)', [new TextEncoder().encode(JSON.stringify(smallNet.toJSON()))], (bytes) =>
  modelJSONFromBytes(bytes),
);

// IDX: an images file and a labels file, parsed together as MNIST.
function idx(dims: number[], data: number[]): Uint8Array {
  const b = Buffer.alloc(4 + 4 * dims.length + data.length);
  b.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => {
    b.writeUInt32BE(d, 4 + 4 * i);
  });
  b.set(data, 4 + 4 * dims.length);
  return new Uint8Array(b);
}
const idxImages = idx(
  [3, 4, 4],
  Array.from({ length: 48 }, (_, i) => (i * 37) % 256),
);
const idxLabels = idx([3], [1, 7, 9]);
// each file read as what its rank says it is, next to a good file of the other kind
fuzz('parseIdx and mnistFromIdx', [idxImages, idxLabels], (bytes) => {
  if (parseIdx(bytes).dims.length === 1) mnistFromIdx(idxImages, bytes);
  else mnistFromIdx(bytes, idxLabels);
});

// ONNX: PyTorch's export and scratchnet's own, then the model validation, as `import` does.
fuzz('modelFromOnnx', [fixtureBytes('onnx', 'torch-mlp.onnx'), modelToOnnx(smallNet.toJSON())], (bytes) =>
  modelFromJSON(modelFromOnnx(bytes)),
);

fuzz(
  'decodePng and digitInput',
  ['filter-4.png', 'digit-rgba.png', 'digit-gray-alpha.png'].map((n) => fixtureBytes('png', n)),
  (bytes) => digitInput(decodePng(bytes)),
  fixCrcs,
);

test('inputs that promise huge sizes are refused before anything of that size is allocated', () => {
  const huge: [string, () => unknown][] = [
    // A 4000×4000 W from 8,000 numbers: only the first row is full.
    [
      'model JSON',
      () =>
        modelFromJSON({
          layers: [{ type: 'Affine', W: [new Array(4000).fill(0), ...new Array(3999).fill(0)], b: [0] }, { type: 'SoftmaxWithLoss' }],
        }),
    ],
    [
      'model JSON',
      () => modelFromJSON(JSON.parse(`{"layers": [{"type": "Affine", "W": ${'['.repeat(100000)}${']'.repeat(100000)}, "b": [0]}]}`)),
    ],
    ['IDX', () => parseIdx(idx([0xffffffff, 0xffffffff, 0xffffffff], []))],
    [
      'PNG',
      () =>
        decodePng(
          fixCrcs(Uint8Array.from([...fixtureBytes('png', 'filter-0.png')].map((v, i) => (i >= 16 && i < 24 ? [0, 0, 16, 0][i % 4] : v)))),
        ),
    ],
  ];
  for (const [what, load] of huge) {
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(load, ScratchnetError, what);
    assert.ok(process.memoryUsage().arrayBuffers - before < MAX_GROWTH, what);
  }
});
