// Every view is a URL after the `#`, so it can be bookmarked, reloaded and
// reached with the back button:
//   #/?q=beat&page=2                       the artists, searched, page 2
//   #/artists/12?page=3                    an artist and a page of its works
//   #/works/7?status=matched&source=library&page=1   a work and its recordings

/** The view a hash names: {view, id, params}. */
export function parse(hash) {
  const text = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = text.split('?', 2);
  const params = new URLSearchParams(query);
  let match;
  if (path === '/' || path === '') return { view: 'artists', params };
  if ((match = path.match(/^\/artists\/([^/]+)$/))) return { view: 'artist', id: match[1], params };
  if ((match = path.match(/^\/works\/([^/]+)$/))) return { view: 'work', id: match[1], params };
  return { view: 'missing', params };
}

/** The hash of a view, with the parameters that are not at their defaults. */
export function link(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === '' || value === null || value === undefined) continue;
    if (key === 'page' && Number(value) === 1) continue;
    if ((key === 'status' || key === 'source') && value === 'all') continue;
    query.set(key, value);
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

/** The page number in `params` (1 when missing or not a whole number ≥ 1). */
export function page(params) {
  const n = Number(params.get('page'));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
