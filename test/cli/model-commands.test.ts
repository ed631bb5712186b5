import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { subset } from '../../src/data/mnist.js';
import { SEED_DATA, SEED_MODEL } from '../../src/explain/seed-example.js';
import { modelToSafetensors } from '../../src/io/model-safetensors.js';
import { loadMnist, mnistDataDir } from '../../src/io/node/mnist-files.js';
import { classProbabilities } from '../../src/nets/probabilities.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { evaluate } from '../../src/train/evaluate.js';
import { cliSandbox } from '../helpers/cli.js';
import { assertClose } from '../helpers/close.js';
import { repoRoot } from '../helpers/fixtures.js';
import { trainedNet } from '../helpers/trained-net.js';

const { dir, cli, file } = cliSandbox('models');
const images = join(mnistDataDir(), 't10k-images-idx3-ubyte');
const png = (name: string) => join(repoRoot, 'test', 'fixtures', 'png', name);

const net = trainedNet();
const modelJson = file('model.json', JSON.stringify(net.toJSON()));

test('convert writes .safetensors and back, and the JSON comes back byte for byte', () => {
  const st = join(dir, 'model.safetensors');
  const r = cli('convert', modelJson, '--out', st);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /model.json \(json\) → .*model.safetensors \(safetensors, float64\)/);
  assert.deepEqual(new Uint8Array(readFileSync(st)), modelToSafetensors(net));
  const back = join(dir, 'back.json');
  assert.equal(cli('convert', st, '--out', back).status, 0);
  assert.equal(readFileSync(back, 'utf8'), `${readFileSync(modelJson, 'utf8')}\n`);
  // Content decides the form, not the name: a safetensors file called .json reads as safetensors.
  copyFileSync(st, join(dir, 'disguised.json'));
  assert.match(cli('convert', join(dir, 'disguised.json'), '--out', join(dir, 'x.json')).stdout, /\(safetensors\) →/);
  const f32 = cli('convert', modelJson, '--out', join(dir, 'model32.safetensors'), '--dtype', 'float32');
  assert.equal(f32.status, 0, f32.stderr);
  assert.ok(readFileSync(join(dir, 'model32.safetensors')).length < readFileSync(st).length * 0.6);
});

test('grad reads a safetensors model like its JSON', () => {
  const st = file('seed.safetensors', modelToSafetensors(SEED_MODEL));
  const data = file('seed-data.json', JSON.stringify(SEED_DATA));
  const a = cli('grad', st, '--data', data);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, cli('grad', file('seed.json', JSON.stringify(SEED_MODEL)), '--data', data).stdout);
});

test('predict --idx prints the probabilities of image i and the predicted class', () => {
  const st = file('p.safetensors', modelToSafetensors(net));
  const { test: testSet } = loadMnist();
  for (const index of [0, 17]) {
    const r = cli('predict', st, '--idx', images, '--index', String(index), '--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const one = subset({ ...testSet, images: testSet.images.subarray(index * 784), labels: testSet.labels.subarray(index) }, 1);
    const x = new Tensor(
      Float64Array.from(one.images, (p) => p / 255),
      [1, 784],
    );
    assertClose(json.probabilities, classProbabilities(net, x)[0], 1e-15);
    assert.equal(json.predicted, json.probabilities.indexOf(Math.max(...json.probabilities)));
    assert.equal(json.inverted, false);
  }
  const text = cli('predict', modelJson, '--idx', images);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^image 0 of .*t10k-images-idx3-ubyte\nclass {2}probability\n/);
  assert.equal(text.stdout.trim().split('\n').length, 13);
  assert.match(text.stdout, /predicted: 7\n$/); // test image 0 is a 7
});

test('predict --image takes a PNG, inverts a dark-on-light digit and says so', () => {
  const idx = JSON.parse(cli('predict', modelJson, '--idx', images, '--json').stdout);
  for (const name of ['digit-gray.png', 'digit-rgb.png', 'digit-rgba.png']) {
    const r = cli('predict', modelJson, '--image', png(name), '--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.inverted, true);
    assertClose(json.probabilities, idx.probabilities, 1e-12, name);
  }
  const text = cli('predict', modelJson, '--image', png('digit-gray.png'));
  assert.match(text.stdout, /inverted to MNIST’s white on black/);
  assert.match(text.stdout, /predicted: 7\n$/);
});

test('evaluate prints the accuracy on the 10,000 MNIST test images', () => {
  const r = cli('evaluate', modelJson, '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.count, 10000);
  assert.equal(json.accuracy, evaluate(net, loadMnist().test));
  assert.ok(json.accuracy > 0.8, String(json.accuracy));
  assert.match(
    cli('evaluate', file('e.safetensors', modelToSafetensors(net))).stdout,
    /^test accuracy \d+\.\d\d% \(\d+ of 10000 MNIST test images\)\n$/,
  );
});

test('bad input to convert, predict and evaluate: one line on stderr, exit status 2, nothing on stdout', () => {
  const st = file('good.safetensors', modelToSafetensors(net));
  const truncated = file('truncated.safetensors', readFileSync(st).subarray(0, 5000));
  const notPng = file('not.png', 'hello');
  const labels = join(mnistDataDir(), 't10k-labels-idx1-ubyte');
  const emptyDir = join(dir, 'empty');
  mkdirSync(emptyDir, { recursive: true });
  const cases: [string[], RegExp][] = [
    [['convert', modelJson], /--out FILE is required/],
    [['convert', modelJson, '--out', join(dir, 'x.onnx')], /ends in ".onnx", expected .json or .safetensors/],
    [['convert', modelJson, '--out', join(dir, 'x.json'), '--dtype', 'float32'], /applies to .safetensors output only/],
    [['convert', modelJson, '--out', join(dir, 'x.safetensors'), '--dtype', 'half'], /--dtype is "half", expected one of float64, float32/],
    [['convert', modelJson, '--out', join(dir, 'no', 'such', 'x.json')], /cannot write .*x.json: no such folder/],
    [['convert', 'missing.json', '--out', join(dir, 'x.json')], /cannot read missing.json: no such file/],
    [
      ['convert', truncated, '--out', join(dir, 'x.json')],
      /truncated.safetensors: tensor "layers.0.W" ends at byte 188160 but the data has \d+, expected it within the file \(truncated\?\)/,
    ],
    [['convert', file('garbage.bin', 'garbage'), '--out', join(dir, 'x.json')], /garbage.bin is not valid JSON \(nor a safetensors file\)/],
    [['predict', st], /give one of --idx IMAGES or --image/],
    [['predict', st, '--idx', images, '--image', png('digit-gray.png')], /give one of/],
    [['predict', st, '--image', png('digit-gray.png'), '--index', '3'], /--index goes with --idx/],
    [['predict', st, '--idx', images, '--index', '10000'], /--index is 10000 but .* has 10000 images, expected 0…9999/],
    [['predict', st, '--idx', images, '--index=-1'], /--index is "-1", expected a whole number ≥ 0/],
    [['predict', st, '--idx', labels], /t10k-labels-idx1-ubyte is 10000, expected an images file/],
    [['predict', st, '--idx', notPng], /magic number starts 0x6865/],
    [['predict', st, '--image', notPng], /not.png is not a PNG file/],
    [['predict', st, '--image', png('filter-0.png'), '--index', '0'], /--index goes with --idx/],
    [['predict', file('seed.json', JSON.stringify(SEED_MODEL)), '--idx', images], /Affine#1.forward: x is 1×1×28×28 but W is 2×2/],
    [['predict', truncated, '--idx', images], /truncated.safetensors/],
    [['evaluate'], /expected MODEL/],
    [['evaluate', st, '--mnist', emptyDir], /cannot read .*t10k-images-idx3-ubyte: no such file/],
    [['evaluate', truncated], /truncated.safetensors/],
    [['evaluate', st, '--bogus'], /unknown option --bogus/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, /^scratchnet: [^\n]+\n$/, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('export writes an ONNX file that import reads back; import takes PyTorch’s export', () => {
  const onnx = join(dir, 'model.onnx');
  const r = cli('export', file('x.safetensors', modelToSafetensors(net)), '--onnx', onnx);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /x.safetensors → .*model.onnx \(ONNX opset 13, \d+ bytes\)\n$/);
  const back = cli('import', onnx, '--out', join(dir, 'from-onnx.safetensors'));
  assert.equal(back.status, 0, back.stderr);
  assert.match(back.stdout, /\(Affine → Relu → Affine → SoftmaxWithLoss\)/);
  const a = JSON.parse(cli('predict', join(dir, 'from-onnx.safetensors'), '--idx', images, '--json').stdout);
  const b = JSON.parse(cli('predict', modelJson, '--idx', images, '--json').stdout);
  assertClose(a.probabilities, b.probabilities, 1e-5);
  const torch = cli('import', join(repoRoot, 'test', 'fixtures', 'onnx', 'torch-mlp.onnx'), '--out', join(dir, 'torch.json'));
  assert.equal(torch.status, 0, torch.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8')).layers.length, 4);
});

test('bad input to export and import: one line on stderr, exit status 2, nothing on stdout', () => {
  const padded = file(
    'padded-pool.json',
    JSON.stringify({ layers: [{ type: 'Pooling', poolH: 2, poolW: 2, stride: 2, pad: 1 }, { type: 'SoftmaxWithLoss' }] }),
  );
  const torchBytes = readFileSync(join(repoRoot, 'test', 'fixtures', 'onnx', 'torch-mlp.onnx')).toString('latin1');
  const conv = file('conv.onnx', Buffer.from(torchBytes.replaceAll('Gemm', 'Conv'), 'latin1'));
  const cases: [string[], RegExp][] = [
    [['export', modelJson], /--onnx OUT.onnx is required/],
    [['export', 'missing.json', '--onnx', join(dir, 'x.onnx')], /cannot read missing.json/],
    [['export', padded, '--onnx', join(dir, 'x.onnx')], /Pooling with pad 1 cannot be exported/],
    [['export', modelJson, '--onnx', join(dir, 'no', 'x.onnx')], /cannot write .*x.onnx: no such folder/],
    [['import', modelJson, '--out', join(dir, 'x.json')], /model.json is not an ONNX model/],
    [['import', file('bytes.onnx', Uint8Array.of(0x0a, 0xff)), '--out', join(dir, 'x.json')], /bytes.onnx is not an ONNX model/],
    [['import', conv, '--out', join(dir, 'x.json')], /conv.onnx uses Conv, which scratchnet cannot import/],
    [['import', conv], /--out MODEL.json is required/],
    [
      ['import', join(repoRoot, 'test', 'fixtures', 'onnx', 'torch-mlp.onnx'), '--out', join(dir, 'x.txt')],
      /ends in ".txt", expected .json or .safetensors/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, /^scratchnet: [^\n]+\n$/, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});
