// Charts over time, drawn as inline SVG: a few rectangles and a polyline need no chart library (and nothing is loaded
// from a CDN). Each chart is a <figure> whose SVG is role="img" with a summary as its name, and whose caption says the
// window in text, so screen readers and a glance at the numbers get the same facts as the picture.
import { h } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

const W = 480, H = 96, PAD = 2;

function frame(title, summary, start, end, svg, legend) {
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${title}: ${summary}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, h('strong', {}, title), ' ', h('span', { class: 'hint' }, summary)),
    svg,
    h('div', { class: 'chart-axis hint', 'aria-hidden': 'true' }, h('span', {}, start), legend, h('span', {}, end)));
}

/** Stacked bars, one per period: successes (bottom) and failures (on top). */
export function stackedBars({ title, ok, bad, start, end, summary }) {
  const n = ok.length;
  const max = Math.max(1, ...ok.map((v, i) => v + bad[i]));
  const slot = W / Math.max(1, n);
  const svg = s('svg');
  svg.append(s('line', { x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5, class: 'chart-base' }));
  ok.forEach((v, i) => {
    const okH = (v / max) * (H - PAD);
    const badH = (bad[i] / max) * (H - PAD);
    const x = i * slot + slot * 0.1, width = slot * 0.8;
    if (okH) svg.append(s('rect', { x, width, y: H - okH, height: okH, class: 'chart-ok' }));
    if (badH) svg.append(s('rect', { x, width, y: H - okH - badH, height: badH, class: 'chart-bad' }));
  });
  const legend = h('span', { class: 'chart-legend' },
    h('span', { class: 'key key-ok' }, 'succeeded'), ' ', h('span', { class: 'key key-bad' }, 'failed'));
  return frame(title, summary, start, end, svg, legend);
}

/** A line over the periods; null values are gaps (no data in that period). */
export function line({ title, values, start, end, summary, unit = '' }) {
  const n = values.length;
  const max = Math.max(1, ...values.filter(v => v !== null));
  const slot = W / Math.max(1, n);
  const svg = s('svg');
  svg.append(s('line', { x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5, class: 'chart-base' }));
  let points = [];
  const flush = () => {
    if (points.length === 1) svg.append(s('circle', { cx: points[0][0], cy: points[0][1], r: 2.5, class: 'chart-dot' }));
    else if (points.length > 1) svg.append(s('polyline', { points: points.map(p => p.join(',')).join(' '), class: 'chart-line' }));
    points = [];
  };
  values.forEach((v, i) => {
    if (v === null) { flush(); return; }
    points.push([(i + 0.5) * slot, H - PAD - (v / max) * (H - 2 * PAD)]);
  });
  flush();
  const legend = h('span', { class: 'chart-legend' }, `max ${Math.round(max)}${unit}`);
  return frame(title, summary, start, end, svg, legend);
}

/** "Mon 14:00"-style label of a time, in the reader's locale. */
export function tick(ms, withTime) {
  const d = new Date(ms);
  return withTime
    ? d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
