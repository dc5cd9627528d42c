// Entity page: an entity's events in sequence order (paged), each with its payload and hash
// links, and "Verify chain", which asks the server to recompute the entity's hash chain.
import { h, mount, field, tableBox, kindHex, time, short } from '../dom.js';
import { call, seg, recent, remember } from '../api.js';
import { problemBox, emptyBox } from '../problems.js';

const PAGE = 100;

export function render(main, [entityArg, scopeArg]) {
  const entity = h('input', { name: 'entity', value: entityArg || '', required: true, placeholder: 'player:alice', list: 'recent-entities' });
  const scope = h('input', { name: 'scope', value: scopeArg || '', placeholder: 'optional' });
  const datalist = h('datalist#recent-entities', recent('entity').map(n => h('option', { value: n })));
  const form = h('form.filters', { 'aria-label': 'Open an entity' },
    field('Entity', entity), field('Scope', scope, 'only needed when the name is used in several scopes'), datalist,
    h('div.buttons', h('button', { type: 'submit' }, 'Open')));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const e = entity.value.trim();
    if (!e) { entity.focus(); return; }
    location.hash = `#/entity/${encodeURIComponent(e)}/${encodeURIComponent(scope.value.trim())}`;
  });
  const content = h('div');
  mount(main, h('h1', entityArg ? `Entity ${entityArg}` : 'Entity'), form, content);
  if (!entityArg) {
    mount(content, emptyBox('Type an entity name, or follow an entity link in the live tail.'));
    return null;
  }
  remember('entity', entityArg);
  const query = scopeArg ? { scope: scopeArg } : {};
  const path = `entities/${seg(entityArg)}`;

  const verifyOut = h('div', { 'aria-live': 'polite', 'data-testid': 'verify-result' });
  const verifyBtn = h('button', { type: 'button', 'data-testid': 'verify' }, 'Verify chain');
  verifyBtn.addEventListener('click', async () => {
    verifyBtn.disabled = true;
    mount(verifyOut, h('p', 'Verifying…'));
    try {
      const v = await call(`${path}/verify`, { query });
      mount(verifyOut, v.valid
        ? h('p.ok', { role: 'status' }, `✔ Chain valid: ${v.events} event(s) verified.`)
        : h('p.bad', { role: 'alert' }, `✘ Chain broken at sequence ${v.firstInvalidSequence} (of ${v.events} event(s)).`));
    } catch (e) {
      mount(verifyOut, problemBox(e, { context: 'verify' }));
    } finally {
      verifyBtn.disabled = false;
    }
  });

  const body = h('tbody');
  const more = h('div');
  const table = tableBox(`Events of ${entityArg}`, h('table.events',
    h('caption.sr-only', `Events of ${entityArg} in sequence order`),
    h('thead', h('tr', ['seq', 'global', 'time (UTC)', 'scope', 'kind', 'event id', 'hash', 'prev hash', 'payload']
      .map(t => h('th', { scope: 'col' }, t)))),
    body));

  function rowOf(ev) {
    const payload = ev.payload !== undefined && ev.payload !== null ? JSON.stringify(ev.payload, null, 2)
      : ev.payloadBase64 ? `base64: ${ev.payloadBase64}` : 'null';
    return h('tr', { 'data-seq': ev.sequence },
      h('td.num', String(ev.sequence)),
      h('td.num', String(ev.globalSequence)),
      h('td.nowrap', time(ev.timestampUs)),
      h('td', ev.scope),
      h('td.num', kindHex(ev.kind)),
      h('td', h('code', { title: ev.eventId }, short(ev.eventId, 13))),
      h('td', h('code', { title: ev.hash }, short(ev.hash))),
      h('td', h('code', { title: ev.prevHash }, short(ev.prevHash))),
      h('td.payload', h('details', h('summary', payload.length > 60 ? payload.replace(/\s+/g, ' ').slice(0, 60) + '…' : payload.replace(/\s+/g, ' ')),
        h('pre', payload),
        ev.attributes ? h('pre', 'attributes: ' + JSON.stringify(ev.attributes, null, 2)) : null)));
  }

  async function load(fromSeq) {
    mount(more, h('p', 'Loading…'));
    try {
      const page = await call(`${path}/events`, { query: { ...query, from: fromSeq, limit: PAGE } });
      for (const ev of page.events) body.append(rowOf(ev));
      if (fromSeq === 0 && page.events.length === 0) {
        mount(content, emptyBox(`No events for ${entityArg} that this token can read.`));
        return;
      }
      mount(more, page.next !== null && page.next !== undefined
        ? h('button', { type: 'button', onclick: () => load(page.next) }, `Load more (from sequence ${page.next})`)
        : h('p.hint', `${body.children.length} event(s), all loaded.`));
    } catch (e) {
      if (fromSeq === 0) {
        const ambiguous = e.code === 'ambiguous-entity';
        mount(content, problemBox(e, { context: ambiguous ? 'the name is used in several scopes: enter its scope above' : 'entity events',
          retry: () => { mount(content, h('div.toolbar', verifyBtn), verifyOut, table, more); load(0); } }));
        if (ambiguous) scope.focus();
      } else {
        mount(more, problemBox(e, { retry: () => load(fromSeq) }));
      }
    }
  }
  mount(content, h('div.toolbar', verifyBtn), verifyOut, table, more);
  load(0);
  return null;
}
