import { get, LIBRARY } from '../api.js';
import { count, duration, fill, h, name, refill, table, visible } from '../dom.js';
import { go } from '../navigation.js';
import { pager } from '../pager.js';
import { link, page } from '../route.js';

const LIMIT = 100;
const STATUS = ['all', 'matched', 'unmatched'];
const SOURCE = ['all', 'library', 'metadata'];

/** One work: its artists and its recordings, 100 to a page, filtered by
 *  status and source. */
export function mount(main) {
  const heading = h('h1', { tabindex: '-1', 'data-test': 'title' }, 'Work');
  const facts = h('p', { class: 'facts', 'data-test': 'facts' });
  const status = select('status', 'Status', STATUS);
  const source = select('source', 'Source', SOURCE);
  const recordings = h('div', { id: 'recordings', 'aria-live': 'polite' });
  const state = { heading, facts, status, source, recordings, id: null, up: h('p', { class: 'up' }) };
  const refilter = () => go(link(`/works/${state.id}`, { status: status.value, source: source.value }));
  status.addEventListener('change', refilter);
  source.addEventListener('change', refilter);
  main.replaceChildren(state.up, heading, facts, h('h2', {}, 'Recordings'),
    h('form', { class: 'filters', onsubmit: (event) => event.preventDefault() },
      h('span', { class: 'filter' }, h('label', { for: 'status' }, 'Status'), status),
      h('span', { class: 'filter' }, h('label', { for: 'source' }, 'Source'), source)),
    recordings);
  return state;
}

function select(id, label, values) {
  return h('select', { id, name: id, 'data-test': id }, values.map((v) => h('option', { value: v }, v)));
}

export async function update(state, route, isCurrent) {
  state.id = route.id;
  const number = page(route.params);
  const status = STATUS.includes(route.params.get('status')) ? route.params.get('status') : 'all';
  const source = SOURCE.includes(route.params.get('source')) ? route.params.get('source') : 'all';
  state.status.value = status;
  state.source.value = source;
  const path = `${LIBRARY}/works/${route.id}`;
  const [work, recordings] = await Promise.all([
    get(path), get(`${path}/recordings`, { skip: (number - 1) * LIMIT, limit: LIMIT, status, source })]);
  if (!isCurrent()) return;
  document.title = `${visible(work.title)} · Air-Wave`;
  const artist = work.artist_id === null ? null : link(`/artists/${work.artist_id}`);
  fill(state.up, artist ? h('a', { href: artist }, '← ', name(work.artist_name)) : h('a', { href: link('/') }, '← All artists'));
  fill(state.heading, name(work.title));
  fill(state.facts, 'By ', artist ? h('a', { href: artist, 'data-test': 'artist' }, name(work.artist_name)) : name(work.artist_name),
    work.artist_names && work.artist_names !== work.artist_name ? h('span', {}, ' (with all: ', name(work.artist_names), ')') : null,
    ` · ${count(work.recording_count)} recordings`, work.is_instrumental ? ' · instrumental' : '');
  const rows = recordings.map((r) => [
    name(r.title), name(r.artist_display), duration(r.duration), visible(r.version_type),
    r.is_verified ? 'yes' : 'no', r.has_file ? 'yes' : 'no',
    r.filename === null ? '—' : h('code', { class: 'filename' }, visible(r.filename))]);
  refill(state.recordings,
    recordings.length || number > 1
      ? table('Recordings', ['Title', 'Artist', 'Length', 'Version', 'Verified', 'File', 'Filename'], rows)
      : h('p', { class: 'empty', 'data-test': 'empty' }, 'No recording with these filters.'),
    pager('Recording pages', number, recordings.length === LIMIT, (n) => link(`/works/${route.id}`, { status, source, page: n })));
}
