/**
 * The dashboard's build: `npm run dashboard:build` writes dashboard/dist (served
 * by the Express app at `/`); `npm run dashboard:dev` serves it with hot reload
 * and proxies /graphql to the API on :3000 (PORT to change).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

const apiPort = process.env.PORT ?? '3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    react(),
    compression({
      include: /\.(html|css|js|mjs|svg|json)$/,
      threshold: 0,
      skipIfLargerOrEqual: false,
      algorithms: [defineAlgorithm('brotliCompress'), defineAlgorithm('gzip', { level: 9 })],
    }),
  ],
  server: {
    proxy: { '/graphql': `http://127.0.0.1:${apiPort}`, '/api/events': `http://127.0.0.1:${apiPort}` },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // React, Recharts (and its d3 helpers) change rarely: their own cacheable chunks.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'charts', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
