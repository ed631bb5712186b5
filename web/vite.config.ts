import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname);

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
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
