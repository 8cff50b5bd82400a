// Building the page: every text goes in as text (textContent), never as
// markup, so a name like `<b>x</b>` shows its brackets.

/** An element: h('a', {href: '#/'}, 'text', child, …). Attributes that are
 *  functions become listeners (onclick → click); null children are skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** How a control character (which names contain) is shown: as its escape,
 *  e.g. a tab as \t and a bell as \u0007, set apart from the text. */
function escape(c) {
  const named = { '\t': '\\t', '\n': '\\n', '\r': '\\r' }[c];
  return named ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text as it should be read, as one string (titles): controls escaped. */
export function visible(text) {
  if (text === null || text === undefined) return '—';
  return String(text).replace(CONTROL, escape);
}

/** A name or title as nodes: the text as text, each control character as
 *  its escape in a span of its own; isolated (bdi), so right-to-left text
 *  keeps its direction without turning the text around it. */
export function name(text) {
  if (text === null || text === undefined) return '—';
  const string = String(text), parts = [];
  let last = 0;
  for (const match of string.matchAll(CONTROL)) {
    parts.push(string.slice(last, match.index), h('span', { class: 'control', title: 'a control character' }, escape(match[0])));
    last = match.index + 1;
  }
  parts.push(string.slice(last));
  return h('bdi', { dir: 'auto' }, parts.filter((p) => p !== ''));
}

/** Replaces `element`'s children, skipping empty ones. */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false && c !== ''));
}

/** The same, keeping the keyboard's place: the control that had the focus
 *  (a pager's Next, say) has it again in the new children, or its pager's
 *  other link when it is gone (the last page has no Next). */
export function refill(element, ...children) {
  const focused = element.contains(document.activeElement) ? document.activeElement.dataset.test : null;
  fill(element, ...children);
  if (!focused) return;
  const again = element.querySelector(`[data-test="${focused}"]`) ?? element.querySelector('.pager a');
  again?.focus();
}

export function count(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

/** Seconds as m:ss, or h:mm:ss past an hour. */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !isFinite(seconds)) return '—';
  const s = Math.round(seconds), hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60);
  const two = (n) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(s % 60)}` : `${minutes}:${two(s % 60)}`;
}

export function percent(rate) {
  return typeof rate === 'number' ? `${(rate * 100).toFixed(1)}%` : '—';
}

/** A table whose cells carry their column's name (the phone layout shows it). */
export function table(caption, columns, rows) {
  return h('table', {},
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((cells) =>
      h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell))))));
}
