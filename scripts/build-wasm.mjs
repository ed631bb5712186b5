// `npm run build:wasm`: compiles assembly/index.ts with asc into the four modules of dist/wasm/ —
// over an unshared memory or a shared one (for helper threads), each with plain SIMD or with
// relaxed SIMD (a product's step a fused multiply-add, where the processor has one). Two at a time.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const asc = fileURLToPath(new URL('../node_modules/assemblyscript/bin/asc.js', import.meta.url));
const common = ['assembly/index.ts', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '1', '--maximumMemory', '16384'];
const modules = [
  { out: 'kernels.wasm', flags: ['--enable', 'simd'] },
  { out: 'kernels-shared.wasm', flags: ['--sharedMemory', '--enable', 'simd,threads'] },
  { out: 'kernels-fma.wasm', flags: ['--enable', 'simd,relaxed-simd'] },
  { out: 'kernels-fma-shared.wasm', flags: ['--sharedMemory', '--enable', 'simd,threads,relaxed-simd'] },
];

const compile = ({ out, flags }) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [asc, ...common, ...flags, '-o', `dist/wasm/${out}`], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`asc failed on dist/wasm/${out} (exit ${code})`))));
  });

const queue = [...modules];
const worker = async () => {
  for (let next = queue.shift(); next; next = queue.shift()) await compile(next);
};
try {
  await Promise.all([worker(), worker()]);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
