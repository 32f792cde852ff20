// Plain Rollup with node-resolve, over the JS tsc emitted. Rollup leaves
// `new URL('./form/agentrules_bg.wasm', import.meta.url)` as it is, so the wasm must be served
// beside the bundle: the one plugin below emits it there (what the package's README says to do).
import { readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const wasm = {
  name: 'agentrules-wasm',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'form/agentrules_bg.wasm', source: readFileSync('node_modules/agentrules/form/agentrules_bg.wasm') });
  },
};

export default {
  input: 'build/ts/main.js',
  output: { dir: 'dist-rollup', format: 'es' },
  plugins: [nodeResolve({ browser: true }), wasm],
};
