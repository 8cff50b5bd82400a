// Both cache layers, live: once a second, the live view's counts (nginx's
// access log, per endpoint and second), the pool's inner cache and its
// workers; the buttons clear the inner cache and switch or clear the outer one.
import { ApiError, get, post } from '../app/api.js';
import { count, fill, h, percent, table, visible } from '../app/dom.js';
import { draw } from './chart.js';

const SYSTEM = '/api/v1/system';
const ENDPOINTS = [
  ['artists', 'GET /artists'], ['artist', 'GET /artists/{id}'], ['artist_works', 'GET /artists/{id}/works'],
  ['work', 'GET /works/{id}'], ['work_recordings', 'GET /works/{id}/recordings'],
];
const $ = (id) => document.getElementById(id);
let outer = null;  // the live view's outer_cache object, last seen
let asked = 0;     // refreshes started: only the newest one's answers are shown

function rps(value) {
  return value.toFixed(value < 10 ? 2 : 1);
}

/** "80.0% (40 of 50)": a layer's hit rate with what it is made of. */
function rate(c, layer) {
  const hits = c[`${layer}_hits`], asked = hits + c[`${layer}_misses`];
  return h('span', { 'data-hits': hits, 'data-asked': asked }, asked ? `${percent(hits / asked)} (${count(hits)} of ${count(asked)})` : '—');
}

function endpointsTable(live) {
  const rows = [...ENDPOINTS, ['total', 'All']].map(([key, label]) => {
    const e = key === 'total' ? live.total : live.endpoints[key];
    const minute = e.last_minute, start = e.since_start;
    return [h('span', { 'data-test': `endpoint-${key}` }, label), rps(minute.requests / 60),
      rate(minute, 'outer'), rate(start, 'outer'), rate(minute, 'inner'), rate(start, 'inner'),
      h('span', { 'data-test': `requests-${key}` }, count(start.requests))];
  });
  const built = table('Both layers per endpoint', ['Endpoint', 'Req/s (last min)', 'Outer, last min', 'Outer, since start',
    'Inner, last min', 'Inner, since start', 'Requests since start'], rows);
  built.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-test', `row-${i < ENDPOINTS.length ? ENDPOINTS[i][0] : 'total'}`));
  return built;
}

function innerCache(stats) {
  if (!stats.inner_cache) return h('p', {}, 'The inner cache is off (', h('code', {}, 'make inner-cache-on'), ').');
  const t = stats.total;
  return h('dl', { class: 'inner' },
    h('dt', {}, 'Entries'), h('dd', {}, h('meter', { min: 0, max: stats.max_entries, value: t.entries }), ` ${count(t.entries)} of ${count(stats.max_entries)}`),
    h('dt', {}, 'Bytes'), h('dd', {}, h('meter', { min: 0, max: stats.max_bytes, value: t.bytes }), ` ${count(t.bytes)} of ${count(stats.max_bytes)}`),
    h('dt', {}, 'Since the pool started'), h('dd', { 'data-test': 'inner-counters' },
      `${count(t.hits)} hits, ${count(t.misses)} misses (${percent(t.hit_rate)}), ${count(t.evictions)} evictions, ${count(t.expirations)} expirations`));
}

function workers(status) {
  const rows = status.workers.map((w) => [w.slot, w.pid || '—', h('span', { class: `state-${w.state}` }, w.state), count(w.requests),
    w.current_request ? `${visible(w.current_request.path)} (${w.current_request.elapsed_ms} ms)` : '']);
  return [h('p', { class: 'facts' }, `${count(status.accepted_requests)} requests accepted, ${count(status.restarts)} restarts, `
      + `${status.busy_workers} of ${status.workers.length} busy now, at most ${status.max_busy_workers} at once`),
    table('Workers', ['Slot', 'Pid', 'State', 'Requests', 'Request in progress'], rows)];
}

function summary(live) {
  const since = new Date(live.started_at).toLocaleTimeString();
  const state = outer.running ? `switching ${outer.running}…` : outer.state.toUpperCase();
  return `Outer cache: ${state} · counting since ${since} · ${count(live.access_log.lines)} library requests in the access log`
    + (live.access_log.following ? '' : ' (the log is not there yet)');
}

function showOuterButton() {
  const button = $('outer-toggle');
  button.disabled = !outer || outer.state === 'unknown' || Boolean(outer.running);
  button.textContent = outer && outer.state === 'off' ? 'Turn the outer cache on' : 'Turn the outer cache off';
  $('outer-clear').disabled = !outer || Boolean(outer.running);
}

async function refresh() {
  const mine = ++asked;
  try {
    const [live, stats, status] = await Promise.all([get(`${SYSTEM}/live`), get(`${SYSTEM}/cache/stats`), get(`${SYSTEM}/status`)]);
    if (mine !== asked) return;
    outer = live.outer_cache;
    $('summary').textContent = summary(live);
    fill($('endpoints'), endpointsTable(live));
    fill($('inner'), innerCache(stats));
    fill($('workers'), ...workers(status));
    draw($('chart'), live.seconds);
    showOuterButton();
    $('problem').hidden = true;
  } catch (error) {
    if (mine !== asked) return;
    $('problem').textContent = error instanceof ApiError && error.status ? `${error.status}: ${error.message}` : error.message;
    $('problem').hidden = false;
  }
}

async function act(button, path, done) {
  button.disabled = true;
  try {
    const answer = await post(path);
    $('message').textContent = done(answer);
  } catch (error) {
    $('message').textContent = error.message;
  }
  await refresh();
  button.disabled = false;
  showOuterButton();
}

$('inner-clear').addEventListener('click', (e) => act(e.currentTarget, `${SYSTEM}/cache/clear`, () => 'Inner cache cleared.'));
$('outer-toggle').addEventListener('click', (e) =>
  act(e.currentTarget, `${SYSTEM}/live/outer-cache/${outer && outer.state === 'off' ? 'on' : 'off'}`, (a) => `${a.detail}…`));
$('outer-clear').addEventListener('click', (e) => act(e.currentTarget, `${SYSTEM}/live/outer-cache/clear`, (a) => `${a.detail}…`));

async function loop() {
  await refresh();
  setTimeout(loop, 1000);
}
loop();
