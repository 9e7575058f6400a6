import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The browser app. `npm run build` writes it to dist/web, which `herald serve` serves at `/`.
 * `npm run web:dev` serves it with hot reload and proxies /api to a Herald on HERALD_DEV_API
 * (default http://127.0.0.1:8080), so the session cookie stays same-origin.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: {
    // Pure domain code shared with the server (no I/O): the counter the user sees is the worker's.
    alias: { '@core': here('../src/core') },
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': { target: process.env.HERALD_DEV_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
