import { get, LIBRARY } from '../api.js';
import { count, h, name, refill, table, visible } from '../dom.js';
import { go } from '../navigation.js';
import { pager } from '../pager.js';
import { link, page } from '../route.js';

const LIMIT = 50;

/** The artists, by name, with a search that narrows them as you type. */
export function mount(main) {
  const input = h('input', { type: 'search', id: 'search', name: 'q', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'search-hint', 'data-test': 'search' });
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  let timer = null;
  // Typed into this box, while it is still on the page (not after a click elsewhere).
  const apply = (replace) => input.isConnected && go(link('/', { q: input.value.trim() ? input.value : '' }), { replace });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => apply(true), 250);
  });
  const form = h('form', { role: 'search', onsubmit: (event) => { event.preventDefault(); clearTimeout(timer); apply(false); } },
    h('label', { for: 'search' }, 'Search artists'), input,
    h('p', { id: 'search-hint', class: 'hint' }, 'Any part of the name, in any case. Results follow as you type.'));
  main.replaceChildren(h('h1', { tabindex: '-1' }, 'Artists'), form, results);
  return { input, results };
}

export async function update(state, route, isCurrent) {
  const q = route.params.get('q') ?? '';
  const number = page(route.params);
  if (document.activeElement !== state.input) state.input.value = q;
  const artists = await get(`${LIBRARY}/artists`, { skip: (number - 1) * LIMIT, limit: LIMIT, search: q });
  if (!isCurrent()) return;
  document.title = q ? `Artists matching “${visible(q)}” · Air-Wave` : 'Artists · Air-Wave';
  const rows = artists.map((a) => [
    h('a', { href: link(`/artists/${a.id}`), 'data-test': 'artist' }, name(a.name)),
    count(a.work_count), count(a.recording_count)]);
  refill(state.results,
    artists.length || number > 1
      ? table('Artists', ['Artist', 'Works', 'Recordings'], rows)
      : h('p', { class: 'empty', 'data-test': 'empty' }, 'No artist matches ', name(q), '.'),
    pager('Artist pages', number, artists.length === LIMIT, (n) => link('/', { q, page: n })));
  // For measuring: when the first list was on the screen (scripts/screenshots reads it).
  if (!performance.getEntriesByName('first-list').length) performance.mark('first-list');
}
