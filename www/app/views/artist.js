import { get, LIBRARY } from '../api.js';
import { count, duration, fill, h, name, refill, table, visible } from '../dom.js';
import { pager } from '../pager.js';
import { link, page } from '../route.js';

const LIMIT = 24;

/** One artist: its totals and its works, 24 to a page. */
export function mount(main) {
  const heading = h('h1', { tabindex: '-1', 'data-test': 'title' }, 'Artist');
  const facts = h('p', { class: 'facts', 'data-test': 'facts' });
  const works = h('div', { id: 'works', 'aria-live': 'polite' });
  main.replaceChildren(h('p', { class: 'up' }, h('a', { href: link('/') }, '← All artists')), heading, facts,
    h('h2', {}, 'Works'), works);
  return { heading, facts, works };
}

export async function update(state, route, isCurrent) {
  const number = page(route.params);
  const path = `${LIBRARY}/artists/${route.id}`;
  const [artist, works] = await Promise.all([get(path), get(`${path}/works`, { skip: (number - 1) * LIMIT, limit: LIMIT })]);
  if (!isCurrent()) return;
  document.title = `${visible(artist.name)} · Air-Wave`;
  fill(state.heading, name(artist.name));
  fill(state.facts,
    `${count(artist.work_count)} works · ${count(artist.recording_count)} recordings`,
    artist.musicbrainz_id ? h('span', { class: 'mbid' }, ` · MusicBrainz ${artist.musicbrainz_id}`) : null);
  const rows = works.map((w) => [
    h('a', { href: link(`/works/${w.id}`), 'data-test': 'work' }, name(w.title)),
    name(w.artist_names), count(w.recording_count), duration(w.duration_total), w.year ?? '—']);
  refill(state.works,
    works.length || number > 1 ? table('Works', ['Title', 'Artists', 'Recordings', 'Total time', 'Year'], rows)
      : h('p', { class: 'empty' }, 'No works.'),
    pager('Work pages', number, works.length === LIMIT, (n) => link(`/artists/${route.id}`, { page: n })));
}
