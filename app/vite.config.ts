import { defineConfig } from 'vite';

// BigInt literals and top-level await need an ES2022 target.
export default defineConfig({
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1', port: 3000 },
  preview: { host: '127.0.0.1', port: 3000 },
});
