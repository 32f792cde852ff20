// webpack 5's production build through its Node API (what `webpack --mode production` runs),
// over the JS tsc emitted. webpack emits the wasm itself (an asset module from `new URL`).
import webpack from 'webpack';
import { resolve } from 'node:path';

const stats = await new Promise((ok, fail) =>
  webpack({ mode: 'production', entry: './build/ts/main.js', output: { path: resolve('dist-webpack'), filename: 'main.js' } }, (err, s) => (err ? fail(err) : ok(s))),
);
const info = stats.toJson({ all: false, errors: true, warnings: true });
for (const w of info.warnings) console.error('webpack warning:', w.message);
if (stats.hasErrors()) {
  for (const e of info.errors) console.error('webpack error:', e.message);
  process.exit(1);
}
