// Tiny DOM helpers: h() builds elements without innerHTML, so server data (entity names,
// payloads) is always inserted as text and can never inject markup.

/** h('p.cls#id', {attrs}, ...children): an element; strings become text nodes, null/false are skipped. */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement(m && m[1] ? m[1] : 'div');
  for (const part of (m && m[2] ? m[2].match(/[.#][\w-]+/g) : [])) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: the label is a real <label for>, so screen readers announce it. */
let fieldIds = 0;
export function field(label, input, hint) {
  const id = input.id || `f${++fieldIds}`;
  input.id = id;
  const hintEl = hint ? h('span.hint', { id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div.field', h('label', { for: id }, label), input, hintEl);
}

/** Say something to screen readers (the polite live region in index.html). */
export function announce(text) {
  const el = document.getElementById('announce');
  if (el) { el.textContent = ''; setTimeout(() => { el.textContent = text; }, 30); }
}

/** A horizontally scrollable, keyboard-focusable table wrapper for narrow screens. */
export function tableBox(label, table) {
  return h('div.table-box', { tabindex: '0', role: 'region', 'aria-label': label }, table);
}

export function kindHex(kind) {
  return '0x' + Number(kind).toString(16).toUpperCase().padStart(4, '0');
}

export function time(us) {
  if (us === undefined || us === null) return '';
  const d = new Date(Number(us) / 1000);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export function short(hash, n = 10) {
  return hash ? String(hash).slice(0, n) + '…' : '';
}

export function payloadText(ev) {
  if (ev.payload !== undefined && ev.payload !== null) return JSON.stringify(ev.payload);
  if (ev.payloadBase64) return `base64:${ev.payloadBase64}`;
  return 'null';
}
