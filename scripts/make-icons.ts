// Renders resources/*.svg to the PNGs the app and electron-builder use (run by hand after editing an SVG).
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../e2e/support/browser';

const resources = path.resolve(import.meta.dirname, '../resources');
const outputs: [svg: string, png: string, size: number][] = [
  ['icon.svg', 'icon.png', 1024],
  // The installable web app's icons (its manifest, renderer/public/manifest.webmanifest).
  ['icon.svg', 'icon-192.png', 192],
  ['icon.svg', 'icon-512.png', 512],
  ['tray.svg', 'trayTemplate.png', 16],
  ['tray.svg', 'trayTemplate@2x.png', 32],
  ['tray.svg', 'tray.png', 32],
];

const browser = await launchChromium();
const page = await browser.newPage();
for (const [svg, png, size] of outputs) {
  await page.setViewportSize({ width: size, height: size });
  const markup = fs.readFileSync(path.join(resources, svg), 'utf8');
  await page.setContent(`<html><body style="margin:0;background:transparent">${markup.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: path.join(resources, png), omitBackground: true });
  console.log(`resources/${png} (${size}px)`);
}
await browser.close();
