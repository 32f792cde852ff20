// Two pages: index.html (the reports every bundler's build renders) and forms.html (React forms).
export default {
  build: { rollupOptions: { input: { main: 'index.html', forms: 'forms.html' } } },
};
