// A static server for the example page on 127.0.0.1 (an ephemeral port): `/` is examples/web,
// `/pkg/` the built npm package, `/conformance/` the corpus (with an index.json listing it),
// `/corpus.mjs` the shared corpus runner. Nothing else is served.
import { createServer } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.sse': 'text/event-stream', '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };

function resolve(path, corpusDir) {
  const routes = [
    ['/pkg/', join(root, 'bindings-wasm/pkg')],
    ['/conformance/', corpusDir],
    ['/corpus.mjs', join(root, 'bindings-wasm/tests/corpus.mjs')],
    ['/', join(root, 'examples/web')],
  ];
  for (const [prefix, dir] of routes) {
    if (path === prefix || path.startsWith(prefix)) {
      if (prefix === '/corpus.mjs') return dir;
      const rest = normalize(decodeURIComponent(path.slice(prefix.length)) || 'index.html');
      if (rest.startsWith('..')) return null;
      return join(dir, rest);
    }
  }
  return null;
}

export async function start() {
  const corpusDir = process.env.AGENTRULES_CONFORMANCE_DIR ?? join(root, 'tests/conformance');
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      if (path === '/conformance/index.json') {
        const files = (await readdir(corpusDir)).filter((f) => f.endsWith('.json')).sort();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(files));
        return;
      }
      const file = resolve(path, corpusDir);
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start();
  console.log(`serving ${url}`);
}
