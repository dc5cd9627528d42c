// A small inline-SVG line chart, hand-drawn: three charts of 120 points need no chart library.
// The SVG is role="img" with a text summary, and the latest value is also printed as text.
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

/**
 * Redraw svg with values (oldest first) scaled 0..a round maximum, which it returns. Labels are
 * left to HTML around the SVG: the SVG stretches to its box, which would distort SVG text.
 */
export function drawLine(svg, values, { unit = '', capacity = 120, label = '' } = {}) {
  const W = 300;
  const H = 100;
  const max = Math.max(1, ...values.filter(Number.isFinite));
  const nice = niceCeil(max);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const last = values.length ? values[values.length - 1] : null;
  svg.setAttribute('aria-label', `${label}: ${values.length} samples, latest ${fmt(last)} ${unit}, peak ${fmt(Math.max(0, ...values))} ${unit}`);
  svg.replaceChildren();
  for (const f of [0, 0.5, 1]) {
    const y = H - f * H + 0.5;
    svg.append(el('line', { x1: 0, x2: W, y1: y, y2: y, class: 'grid' }));
  }
  if (values.length >= 2) {
    const step = W / (capacity - 1);
    const x0 = W - (values.length - 1) * step;
    const pts = values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(H - (Number.isFinite(v) ? v : 0) / nice * H).toFixed(1)}`);
    svg.append(el('polygon', { points: `${x0.toFixed(1)},${H} ${pts.join(' ')} ${W},${H}`, class: 'area' }));
    svg.append(el('polyline', { points: pts.join(' '), class: 'line' }));
  }
  return nice;
}

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return String(Math.round(v));
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2).replace(/\.?0+$/, '') || '0';
}
