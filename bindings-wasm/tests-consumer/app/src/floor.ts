// The floor page (floor.html): no agentrules, the same show() and mark as the measured pages, so
// navigation → this mark is what a page costs here before any wasm.
import { show } from './show.js';

show('valid', 'no agentrules on this page');
performance.mark('agentrules:first-validation');
document.body.dataset.ready = 'true';
