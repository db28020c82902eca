#!/usr/bin/env node
// Thin launcher: the TypeScript sources are compiled to dist/ by `npm run build`,
// which `npm ci` runs through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('farjoin: dist/ is missing. Run `npm ci` (or `npm run build`) in the checkout first.');
  process.exit(1);
}
await import(entry.href);
