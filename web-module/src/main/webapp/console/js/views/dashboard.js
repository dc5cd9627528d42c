// Dashboard: /api/v1/stats sampled every second while the view is open. Append rate is the
// change of "events" per second; fsync latency is the mean of the fsyncs done between two
// samples (from the cumulative mean and count /stats gives); writer queue depth is as sampled.
import { h, mount } from '../dom.js';
import { call, health } from '../api.js';
import { drawLine, fmt } from '../chart.js';
import { problemBox } from '../problems.js';

const CAPACITY = 120;
const PERIOD_MS = 1000;
// Samples survive leaving the view, so coming back shows the recent past, not an empty chart.
const series = { rate: [], fsync: [], queue: [] };
let prev = null;

function push(list, v) {
  list.push(v);
  if (list.length > CAPACITY) list.shift();
}

const TILES = [
  ['events', 'events'], ['entities', 'entities'], ['scopes', 'scopes'], ['globalSequence', 'global sequence'],
  ['segments', 'segments'], ['bytes', 'bytes'], ['fsyncs', 'fsyncs'], ['groupCommits', 'group commits'],
  ['fsyncMaxUs', 'fsync max (µs)'],
];

export function render(main) {
  const charts = {
    rate: { title: 'Append rate', unit: 'events/s', field: 'events' },
    fsync: { title: 'fsync latency (mean per interval)', unit: 'µs', field: 'fsyncMeanUs' },
    queue: { title: 'Writer queue depth', unit: 'requests', field: 'writerQueueDepth' },
  };
  const tiles = h('div.tiles', { 'data-testid': 'stats-tiles' });
  const problem = h('div');
  const note = h('div');
  const ready = h('span.pill', { 'data-testid': 'ready' }, '…');
  const grid = h('div.charts');
  for (const [key, c] of Object.entries(charts)) {
    c.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    c.value = h('span.chart-value');
    c.scale = h('span.hint');
    c.box = h('figure.chart', { 'data-chart': key }, h('figcaption', h('span', c.title), c.value), c.svg, c.scale);
    grid.append(c.box);
  }
  mount(main, h('h1', 'Dashboard'), h('p', 'Store readiness: ', ready, h('span.hint', ` · sampled from /api/v1/stats every ${PERIOD_MS / 1000} s`)),
    problem, note, tiles, grid);

  function paint(stats) {
    for (const [key, c] of Object.entries(charts)) {
      // A field the server does not send hides its chart rather than drawing zeros.
      c.box.hidden = stats && stats[c.field] === undefined;
      const top = drawLine(c.svg, series[key], { unit: c.unit, capacity: CAPACITY, label: c.title });
      c.scale.textContent = `scale 0–${fmt(top)} ${c.unit} · last ${CAPACITY} s`;
      const last = series[key][series[key].length - 1];
      c.value.textContent = `${fmt(last)} ${c.unit}`;
    }
    if (stats) {
      mount(tiles, TILES.filter(([k]) => stats[k] !== undefined).map(([k, label]) =>
        h('div.tile', h('span.tile-label', label), h('span.tile-value', { 'data-field': k }, Number(stats[k]).toLocaleString('en'))))); 
      mount(note, stats.scoped ? h('p.note', 'This token\'s grants do not cover every scope: counts cover only its scopes, and whole-log figures (segments, bytes, writer and fsync) are reported as 0.') : null);
    }
  }

  async function sample() {
    try {
      const s = await call('stats');
      const now = performance.now();
      if (prev) {
        const dt = (now - prev.t) / 1000;
        push(series.rate, Math.max(0, (s.events - prev.s.events) / dt));
        const dn = (s.fsyncs || 0) - (prev.s.fsyncs || 0);
        // mean over the interval = (total time now - total time then) / fsyncs in between
        push(series.fsync, dn > 0 ? Math.max(0, (s.fsyncMeanUs * s.fsyncs - prev.s.fsyncMeanUs * prev.s.fsyncs) / dn) : 0);
      }
      push(series.queue, s.writerQueueDepth || 0);
      prev = { t: now, s };
      mount(problem);
      paint(s);
    } catch (e) {
      mount(problem, problemBox(e, { context: 'stats' }));
    }
  }
  async function readiness() {
    try {
      const r = await health('ready');
      ready.textContent = r.status === 200 ? 'UP' : `DOWN (HTTP ${r.status})`;
      ready.dataset.state = r.status === 200 ? 'live' : 'error';
    } catch (e) {
      ready.textContent = 'unreachable';
      ready.dataset.state = 'error';
    }
  }
  paint(null);
  sample();
  readiness();
  const timer = setInterval(sample, PERIOD_MS);
  const healthTimer = setInterval(readiness, 5000);
  return () => { clearInterval(timer); clearInterval(healthTimer); };
}
