// Health: MicroProfile Health readiness and liveness with each check and its data. Open
// endpoints (no token needed), so this view works even when the token is refused.
import { h, mount, tableBox } from '../dom.js';
import { health } from '../api.js';
import { problemBox } from '../problems.js';

export function render(main) {
  const out = h('div');
  const refresh = h('button', { type: 'button' }, 'Refresh');
  mount(main, h('h1', 'Health'), h('div.toolbar', refresh), out);

  async function load() {
    const parts = [];
    for (const which of ['ready', 'live']) {
      try {
        const r = await health(which);
        const up = r.status === 200 && (!r.body || r.body.status === 'UP');
        const checks = (r.body && r.body.checks) || [];
        parts.push(h('section.card', { 'data-health': which },
          h('h2', which === 'ready' ? 'Readiness' : 'Liveness', ' ',
            h('span.pill', { 'data-state': up ? 'live' : 'error', 'data-testid': `health-${which}` }, up ? 'UP' : 'DOWN')),
          !up ? h('p', r.status === 503 ? 'Not ready: the store is loading its index, shutting down, or its writer failed.' : `HTTP ${r.status}`) : null,
          checks.length === 0 ? h('p.hint', 'No checks reported.') : tableBox(`${which} checks`, h('table.events',
            h('thead', h('tr', h('th', { scope: 'col' }, 'check'), h('th', { scope: 'col' }, 'status'), h('th', { scope: 'col' }, 'data'))),
            h('tbody', checks.map(c => h('tr', h('td', c.name), h('td', { class: c.status === 'UP' ? 'ok' : 'bad' }, c.status),
              h('td', h('code', c.data ? JSON.stringify(c.data) : ''))))))),
        ));
      } catch (e) {
        parts.push(problemBox(e, { context: `health/${which}` }));
      }
    }
    mount(out, parts, h('p.hint', `Checked ${new Date().toLocaleTimeString()}.`));
  }
  refresh.addEventListener('click', load);
  load();
  const timer = setInterval(load, 10000);
  return () => clearInterval(timer);
}
