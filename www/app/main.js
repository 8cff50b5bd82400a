// The library browser: one page, a view per URL (see route.js). Each view
// builds its frame once (mount) and fills it from the API (update); only
// the latest navigation's answers are shown.
import * as artist from './views/artist.js';
import * as artists from './views/artists.js';
import * as work from './views/work.js';
import { ApiError } from './api.js';
import { h } from './dom.js';
import { link, parse } from './route.js';

const views = { artists, artist, work };
const main = document.querySelector('main');
const problem = document.querySelector('#problem');
let shown = null;       // {view, state, hash}
let generation = 0;
let first = true;       // the view the page loaded with

async function show() {
  // Only `#/…` names a view (the skip link's `#main` is not one).
  if (location.hash && !location.hash.startsWith('#/')) return;
  const hash = location.hash || '#/';
  if (shown && shown.hash === hash) return;  // a hashchange and our own event for one move
  const route = parse(hash);
  const mine = ++generation;
  const isCurrent = () => mine === generation;
  const view = views[route.view];
  problem.hidden = true;
  if (!view) {
    shown = null;
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'Not here'), h('p', {}, 'No page at this address. ', h('a', { href: link('/') }, 'All artists')));
    document.title = 'Not found · Air-Wave';
    main.querySelector('h1').focus();
    return;
  }
  const moved = !shown || shown.view !== route.view || shown.id !== route.id;
  if (moved) shown = { view: route.view, id: route.id, state: view.mount(main) };
  shown.hash = hash;
  main.setAttribute('aria-busy', 'true');
  try {
    await view.update(shown.state, route, isCurrent);
  } catch (error) {
    if (!isCurrent()) return;
    problem.replaceChildren(h('strong', {}, error instanceof ApiError && error.status ? `${error.status}: ` : 'Error: '), error.message);
    problem.hidden = false;
    document.title = 'Error · Air-Wave';
  } finally {
    if (isCurrent()) main.removeAttribute('aria-busy');
  }
  // A view moved to takes the focus to its heading (a screen reader hears
  // where it is); the first one, on loading, leaves it at the top of the
  // page (the skip link comes first); typing in the search box keeps it.
  if (isCurrent() && moved && !first && document.activeElement?.id !== 'search') main.querySelector('h1')?.focus({ preventScroll: true });
  first = false;
}

// The skip link moves the focus, not the address (its #main is not a view).
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', show);
window.addEventListener('route', show);
show();
