// The pages: index.html (the reports every bundler's build renders), launch.html (the same on
// agentrules/launch), forms.html (React forms), and
// the loading pages table.html, both.html and lazy.html (which wasm requests each page makes), and
// floor.html (no agentrules: the baseline of scripts/nav-timing.mjs).
export default {
  build: { rollupOptions: { input: { main: 'index.html', launch: 'launch.html', forms: 'forms.html', table: 'table.html', both: 'both.html', lazy: 'lazy.html', floor: 'floor.html' } } },
};
