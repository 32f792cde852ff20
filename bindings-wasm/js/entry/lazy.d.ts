// The lazy entry (`agentrules/lazy`): nothing is fetched at import, so an app renders before the
// wasm arrives. Call `load()` early (it starts the fetch) and await it where a check is needed.

/** The form entry (`agentrules`), imported on first call (its wasm is fetched then); every later
 * call answers the same module. A failed load (the network) rejects, and the next call tries
 * again. */
export declare function load(): Promise<typeof import('./index.js')>;
/** The launch entry (`agentrules/launch`: launch, follow-up and image checks in the smallest
 * wasm), imported on first call; every later call answers the same module. A failed load rejects,
 * and the next call tries again. */
export declare function loadLaunch(): Promise<typeof import('./launch.js')>;
/** The table entry (`agentrules/table`), imported on first call (its wasm is fetched then); every
 * later call answers the same module. A failed load rejects, and the next call tries again. */
export declare function loadTable(): Promise<typeof import('./table.js')>;
