// The last five minutes in a few lines of SVG: requests per second on the
// left scale, both layers' hit rates (over 10-second steps) on 0–100%.

const WIDTH = 640, HEIGHT = 220, LEFT = 44, RIGHT = 40, TOP = 12, BOTTOM = 24;
const SVG = 'http://www.w3.org/2000/svg';

function node(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** `seconds`: [second, requests, outerHits, outerMisses, innerHits, innerMisses], oldest first. */
export function draw(svg, seconds) {
  const plotWidth = WIDTH - LEFT - RIGHT, plotHeight = HEIGHT - TOP - BOTTOM;
  const n = Math.max(seconds.length, 1);
  const x = (i) => LEFT + (i / Math.max(n - 1, 1)) * plotWidth;
  const peak = Math.max(1, ...seconds.map((s) => s[1]));
  const top = niceCeiling(peak);
  const yRequests = (v) => TOP + plotHeight - (v / top) * plotHeight;
  const yRate = (r) => TOP + plotHeight - r * plotHeight;

  const parts = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = TOP + plotHeight - fraction * plotHeight;
    parts.push(node('line', { class: 'grid', x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y }));
    parts.push(node('text', { x: LEFT - 6, y: y + 4, 'text-anchor': 'end' }, format(top * fraction)));
    parts.push(node('text', { x: WIDTH - RIGHT + 6, y: y + 4 }, `${fraction * 100}%`));
  }
  parts.push(node('text', { x: LEFT, y: HEIGHT - 6 }, '5 min ago'));
  parts.push(node('text', { x: WIDTH - RIGHT, y: HEIGHT - 6, 'text-anchor': 'end' }, 'now'));
  parts.push(node('polyline', { class: 'requests', points: seconds.map((s, i) => `${x(i).toFixed(1)},${yRequests(s[1]).toFixed(1)}`).join(' ') }));

  // Hit rates per 10-second step, drawn only where the layer was asked.
  const step = 10;
  for (const [name, hits, misses] of [['outer', 2, 3], ['inner', 4, 5]]) {
    const points = [];
    for (let start = 0; start + step <= seconds.length; start += step) {
      let h = 0, m = 0;
      for (const s of seconds.slice(start, start + step)) { h += s[hits]; m += s[misses]; }
      if (h + m > 0) points.push(`${x(start + step - 1).toFixed(1)},${yRate(h / (h + m)).toFixed(1)}`);
    }
    if (points.length) parts.push(node('polyline', { class: name, points: points.join(' ') }));
    for (const point of points.slice(-1)) {  // the newest, seen even when it stands alone
      const [cx, cy] = point.split(',');
      parts.push(node('circle', { class: name, cx, cy, r: 3 }));
    }
  }
  svg.replaceChildren(...parts);
}

function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

function format(v) {
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)}k/s` : `${Math.round(v)}/s`;
}
