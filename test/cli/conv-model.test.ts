import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

test('a SimpleConvNet saved by train is evaluated from its .json and .safetensors files (images viewed as 1×28×28)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-conv-'));
  const run = (...a: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), ...a], { encoding: 'utf8', cwd: dir });
  const trained = run(
    'train',
    '--net',
    'simple-conv',
    '--hidden',
    '20',
    '--iters',
    '4',
    '--batch-size',
    '50',
    '--train-size',
    '200',
    '--test-size',
    '100',
    '--out',
    'run',
    '--save',
    'conv.safetensors',
    '--checkpoint-dir',
    'ck',
    '--checkpoint-every',
    '2',
  );
  assert.equal(trained.status, 0, trained.stderr);
  for (const model of ['run/model.json', 'conv.safetensors']) {
    const r = run('evaluate', model, '--json');
    assert.equal(r.status, 0, r.stderr);
    const { accuracy } = JSON.parse(r.stdout);
    assert.ok(accuracy >= 0 && accuracy <= 1);
  }
});
