import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: loaded from file:// in Electron and over loopback HTTP headless, so paths are relative.
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    target: 'chrome140',
    sourcemap: true,
    // Loaded from disk (Electron) or loopback (serve), never over a slow network.
    chunkSizeWarningLimit: 2000,
  },
});
