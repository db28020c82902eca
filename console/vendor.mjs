// Completes console/dist after `tsc -p console/tsconfig.json`: the static files (page,
// styles) and the ESM builds of preact, preact/hooks and htm, which the page's import map
// names. No bundler and no CDN: the console works offline from these files alone.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const require = createRequire(import.meta.url);
// Both packages keep their entry in dist/: the package folder is one up.
const pkgDir = (name) => dirname(dirname(require.resolve(name)));

mkdirSync(join(dist, 'vendor'), { recursive: true });
for (const file of readdirSync(join(here, 'static'))) copyFileSync(join(here, 'static', file), join(dist, file));
const vendor = [
  [join(pkgDir('preact'), 'dist', 'preact.module.js'), 'preact.js'],
  [join(pkgDir('preact'), 'hooks', 'dist', 'hooks.module.js'), 'hooks.js'],
  [join(pkgDir('htm'), 'dist', 'htm.module.js'), 'htm.js'],
];
for (const [from, to] of vendor) copyFileSync(from, join(dist, 'vendor', to));
