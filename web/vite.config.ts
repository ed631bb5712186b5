import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname);
// Cross-origin isolation: the training worker may then share the kernels' memory with helper threads.
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** The site: the backprop explorer (index.html) and training in the browser (train.html). */
export default defineConfig({
  root,
  base: './',
  publicDir: resolve(root, 'public'),
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve(root, 'index.html'), train: resolve(root, 'train.html') } },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', headers },
  preview: { host: '127.0.0.1', headers },
});
