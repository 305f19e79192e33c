import fs from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const resources = path.resolve(import.meta.dirname, 'resources');

/** The installable web app's icons come from resources/, as the desktop app's do. */
function appIcons(): Plugin {
  const icons = { 'icon-192.png': 'icon-192.png', 'icon-512.png': 'icon-512.png', 'icon.svg': 'icon.svg' };
  return {
    name: 'switchboard-app-icons',
    generateBundle() {
      for (const [fileName, source] of Object.entries(icons)) this.emitFile({ type: 'asset', fileName, source: fs.readFileSync(path.join(resources, source)) });
    },
  };
}

// The renderer: loaded from file:// in Electron and over loopback HTTP headless, so paths are relative.
// The service worker (Web Push) is built with it as sw.js at the root, so its scope is the whole UI.
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react(), appIcons()],
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    target: 'chrome140',
    sourcemap: true,
    // Loaded from disk (Electron) or loopback (serve), never over a slow network.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { index: path.resolve(import.meta.dirname, 'renderer/index.html'), sw: path.resolve(import.meta.dirname, 'renderer/src/sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
});
