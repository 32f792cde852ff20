// How the entries make wasm instances of a compiled module: each through a fresh glue state
// (see scripts/factory.mjs), synchronously where the platform allows it, else asynchronously.

/** Compiles the wasm at `url` (a browser or bundler: fetched, streamed where the server sends
 * application/wasm). */
export async function compile(url) {
  const response = fetch(url);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch {}
  }
  return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
}

/** `[create, createAsync]` for js/api.js's makeApi, over `glue` and a compiled module. */
export function instances(glue, module) {
  const create = () => {
    const g = glue();
    g.initSync({ module });
    return g.exports;
  };
  const createAsync = async () => {
    const g = glue();
    await g.init({ module_or_path: module });
    return g.exports;
  };
  return [create, createAsync];
}
