// Live tail: /api/v1/subscribe over fetch-SSE with server-side filters. Pause closes the
// connection; resume reconnects with Last-Event-ID, so the server replays exactly what came in
// meanwhile. The subscription also pauses while another view is open and resumes on return.
import { h, mount, field, tableBox, kindHex, time, payloadText, announce } from '../dom.js';
import { call } from '../api.js';
import { Tail } from '../sse.js';
import { problemBox, emptyBox } from '../problems.js';

const MAX_ROWS = 500; // rows kept on screen; the count of received events stays exact

const state = {
  filter: { scope: '', entityPrefix: '', kind: '' },
  from: 'now',
  tail: null,
  rows: [],        // newest first
  received: 0,
  userPaused: false,
  generation: 0,   // bumped by each connect, so a stale one (left view, new filters) gives up
  status: 'idle',
  error: null,
};

/** "61441", "0xF001" or "" -> the decimal string the API takes, or null when invalid. */
export function parseKind(text) {
  const t = text.trim();
  if (t === '') return '';
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? String(n) : null;
}

export function render(main) {
  const statusEl = h('span.pill', { 'data-testid': 'tail-status' });
  const countEl = h('span.hint', { 'data-testid': 'tail-count' });
  const problemEl = h('div');
  const body = h('tbody');
  const emptyEl = h('div');
  const pauseBtn = h('button', { type: 'button', 'aria-pressed': 'false', 'data-testid': 'pause' }, 'Pause');

  const scope = h('input', { name: 'scope', value: state.filter.scope, placeholder: 'room:dungeon' });
  const prefix = h('input', { name: 'entityPrefix', value: state.filter.entityPrefix, placeholder: 'player:' });
  const kind = h('input', { name: 'kind', value: state.filter.kind, placeholder: '61441 or 0xF001', inputmode: 'text' });
  const from = h('select', { name: 'from' },
    h('option', { value: 'now' }, 'live from now'),
    h('option', { value: 'beginning' }, 'from the beginning'));
  from.value = state.from;

  function rowOf(ev) {
    return h('tr', { 'data-gs': ev.globalSequence, 'data-entity': ev.entity },
      h('td.num', String(ev.globalSequence)),
      h('td.nowrap', time(ev.timestampUs)),
      h('td', h('a', { href: `#/entity/${encodeURIComponent(ev.entity)}/${encodeURIComponent(ev.scope || '')}` }, ev.entity)),
      h('td', ev.scope),
      h('td.num', kindHex(ev.kind)),
      h('td.num', String(ev.sequence)),
      h('td.payload', h('code', payloadText(ev).slice(0, 200))));
  }

  function paint() {
    const labels = { idle: 'Idle', connecting: 'Connecting…', live: 'Live', paused: 'Paused',
      retrying: 'Reconnecting…', error: 'Stopped' };
    statusEl.textContent = labels[state.status] || state.status;
    statusEl.dataset.state = state.status;
    countEl.textContent = ` ${state.received} received` +
      (state.tail && state.tail.lastId !== null ? ` · last id ${state.tail.lastId}` : '') +
      (state.rows.length >= MAX_ROWS ? ` · showing the newest ${MAX_ROWS}` : '');
    pauseBtn.textContent = state.userPaused ? 'Resume' : 'Pause';
    pauseBtn.setAttribute('aria-pressed', String(state.userPaused));
    mount(problemEl, state.error && state.status !== 'live' ? problemBox(state.error,
      { context: 'live tail', retry: state.status === 'error' ? () => { state.error = null; connect(); } : null }) : null);
    mount(emptyEl, state.rows.length === 0 && !state.error
      ? emptyBox(state.userPaused ? 'Paused. Events that arrive now are shown on resume.'
        : 'No events yet. Events that match the filters appear here as they are appended.') : null);
  }

  // Events are drawn in batches every 50 ms, so a burst of thousands costs one DOM update, not
  // thousands; nothing is dropped from the count, only rows beyond MAX_ROWS from the screen.
  let pending = [];
  let flushTimer = null;
  function flush() {
    flushTimer = null;
    const batch = pending;
    pending = [];
    const frag = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i--) frag.append(rowOf(batch[i])); // newest first
    body.prepend(frag);
    state.rows = batch.reverse().concat(state.rows).slice(0, MAX_ROWS);
    while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
    paint();
  }
  function onEvent(ev) {
    state.received++;
    pending.push(ev);
    if (!flushTimer) flushTimer = setTimeout(flush, 50);
  }

  function onState(s, err) {
    state.status = s;
    if (err !== undefined) state.error = err;
    if (s === 'live') state.error = null;
    paint();
  }

  let alive = true;
  async function connect() {
    if (!state.tail) {
      const generation = ++state.generation;
      let after = null;
      if (state.from === 'beginning') after = 0;
      else {
        // "Now" = after the last event this token can reach, fixed before connecting, so an
        // event appended right after the tail shows "Live" is never missed.
        try {
          after = (await call('stats')).globalSequence;
        } catch (e) {
          if (alive && generation === state.generation) onState('error', e);
          return;
        }
      }
      // The view was left, or the filters changed, while /stats was being read: that connect is void.
      if (!alive || generation !== state.generation || state.tail) return;
      state.tail = new Tail({ filter: filterQuery(), after, onEvent, onState });
    }
    // The tail outlives this view's elements: point it at the ones on screen now.
    state.tail.onEvent = onEvent;
    state.tail.onState = onState;
    if (!state.userPaused) state.tail.start();
  }

  function filterQuery() {
    return { scope: state.filter.scope, entityPrefix: state.filter.entityPrefix, kind: parseKind(state.filter.kind) };
  }

  const kindError = h('span.error', { id: 'kind-error', role: 'alert' });
  const form = h('form.filters', { 'aria-label': 'Tail filters' },
    field('Scope', scope), field('Entity prefix', prefix), field('Kind (decimal or hex)', kind), kindError,
    field('Start', from),
    h('div.buttons', h('button', { type: 'submit' }, 'Apply filters')));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    if (parseKind(kind.value) === null) {
      kindError.textContent = 'Kind must be a number 0..65535 (e.g. 61441 or 0xF001).';
      kind.setAttribute('aria-invalid', 'true');
      kind.focus();
      return;
    }
    kindError.textContent = '';
    kind.removeAttribute('aria-invalid');
    state.filter = { scope: scope.value.trim(), entityPrefix: prefix.value.trim(), kind: kind.value.trim() };
    state.from = from.value;
    restart();
    announce('Filters applied');
  });

  function restart() {
    if (state.tail) state.tail.stop('idle');
    state.tail = null;
    state.rows = [];
    pending = [];
    state.received = 0;
    state.error = null;
    body.replaceChildren();
    paint();
    connect();
  }

  pauseBtn.addEventListener('click', () => {
    state.userPaused = !state.userPaused;
    if (state.userPaused) { if (state.tail) state.tail.stop('paused'); announce('Paused'); }
    else { announce('Resumed'); connect(); }
    paint();
  });
  const clearBtn = h('button', { type: 'button', onclick: () => {
    state.rows = []; pending = []; state.received = 0; body.replaceChildren(); paint();
  } }, 'Clear');

  mount(main,
    h('h1', 'Live tail'),
    form,
    h('div.toolbar', pauseBtn, clearBtn, h('span', 'Status: ', statusEl, countEl)),
    problemEl,
    tableBox('Events, newest first', h('table.events', { 'data-testid': 'tail-table' },
      h('caption.sr-only', 'Events received, newest first'),
      h('thead', h('tr', ['global', 'time (UTC)', 'entity', 'scope', 'kind', 'seq', 'payload'].map(t => h('th', { scope: 'col' }, t)))),
      body)),
    emptyEl);
  for (const ev of state.rows) body.append(rowOf(ev));
  paint();
  connect();
  // Leaving the view closes the connection; coming back resumes from the last id.
  return () => {
    alive = false;
    if (flushTimer) { clearTimeout(flushTimer); flush(); } // keep what arrived in the last 50 ms
    if (state.tail && state.tail.running) state.tail.stop('paused');
  };
}
