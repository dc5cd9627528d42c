// A consumer group: per partition its committed offset, in-flight deliveries and lag, refreshed
// every 2 s so lag can be watched falling. Columns come from the fields the server answers:
// a field it does not send is not shown (parked counts and replay do not exist in the API yet).
import { h, mount, field, tableBox } from '../dom.js';
import { call, seg, recent, remember } from '../api.js';
import { discoverGroups } from '../discovery.js';
import { problemBox, emptyBox } from '../problems.js';

const KNOWN = { partition: 'partition', committedOffset: 'committed offset', inFlight: 'in flight', lag: 'lag' };
const CONFIG = { ackTimeoutMs: 'ack timeout (ms)', maxInFlight: 'max in flight per consumer', start: 'start' };

export function render(main, [streamArg, groupArg]) {
  const stream = h('input', { name: 'stream', value: streamArg || '', required: true, placeholder: 'orders' });
  const group = h('input', { name: 'group', value: groupArg || '', required: true, placeholder: 'billing' });
  const form = h('form.filters', { 'aria-label': 'Open a consumer group' }, field('Stream', stream), field('Group', group),
    h('div.buttons', h('button', { type: 'submit' }, 'Open')));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    if (stream.value.trim() && group.value.trim()) {
      location.hash = `#/groups/${encodeURIComponent(stream.value.trim())}/${encodeURIComponent(group.value.trim())}`;
    }
  });
  const list = h('section', h('h2', 'Groups'), h('p', 'Looking for groups…'));
  const detail = h('section');
  const auto = h('input', { type: 'checkbox', checked: true, name: 'auto' });
  mount(main, h('h1', groupArg ? `Group ${groupArg} of ${streamArg}` : 'Consumer groups'), form, h('div.split', list, detail));

  discoverGroups().then(found => {
    const recents = recent('group').map(s => { const i = s.indexOf('/'); return { stream: s.slice(0, i), group: s.slice(i + 1) }; });
    const all = [...new Map([...found, ...recents].map(g => [`${g.stream}/${g.group}`, g])).values()];
    mount(list, h('h2', 'Groups'), all.length === 0 ? emptyBox('No consumer groups found for this token. Type a stream and group above.')
      : h('ul.links', all.map(g => h('li', h('a', { href: `#/groups/${encodeURIComponent(g.stream)}/${encodeURIComponent(g.group)}`,
        'aria-current': g.stream === streamArg && g.group === groupArg ? 'page' : null }, `${g.stream} / ${g.group}`)))));
  }).catch(e => mount(list, h('h2', 'Groups'), problemBox(e, { context: 'finding groups' })));

  let timer = null;
  async function load() {
    try {
      const g = await call(`streams/${seg(streamArg)}/groups/${seg(groupArg)}`);
      remember('group', `${streamArg}/${groupArg}`);
      const parts = g.partitions || [];
      // Columns: the known ones the server sent, then any other field it added later.
      const keys = [...new Set(parts.flatMap(p => Object.keys(p)))];
      const cols = [...Object.keys(KNOWN).filter(k => keys.includes(k)), ...keys.filter(k => !(k in KNOWN))];
      const sum = k => parts.reduce((a, p) => a + (typeof p[k] === 'number' ? p[k] : 0), 0);
      const totals = ['lag', 'inFlight'].filter(k => keys.includes(k));
      const config = Object.keys(CONFIG).filter(k => g[k] !== undefined && g[k] !== null);
      mount(detail,
        h('h2', `${g.group || groupArg} on ${g.stream || streamArg}`),
        totals.length ? h('p.totals', { 'data-testid': 'group-totals' },
          totals.map(k => h('span.tile', h('span.tile-label', `total ${KNOWN[k]}`), h('span.tile-value', { 'data-total': k }, String(sum(k)))))) : null,
        parts.length === 0 ? emptyBox('This group has no partitions yet.') :
          tableBox(`Partitions of group ${groupArg}`, h('table.events', { 'data-testid': 'group-table' },
            h('caption.sr-only', `Per-partition state of group ${groupArg}`),
            h('thead', h('tr', cols.map(c => h('th', { scope: 'col' }, KNOWN[c] || c)))),
            h('tbody', parts.map(p => h('tr', cols.map(c => h('td.num', p[c] === undefined ? '' : String(p[c])))))))),
        config.length ? h('dl.config', config.map(k => [h('dt', CONFIG[k]), h('dd', String(g[k]))])) : null,
        h('p.hint', `Updated ${new Date().toLocaleTimeString()}.`));
    } catch (e) {
      mount(detail, problemBox(e, { context: `group ${groupArg} of ${streamArg}`, retry: load }));
    }
  }
  if (streamArg && groupArg) {
    mount(detail, h('p', 'Loading…'));
    load();
    timer = setInterval(() => { if (auto.checked) load(); }, 2000);
    main.insertBefore(h('div.toolbar', h('label', auto, ' Refresh every 2 s')), detail.parentNode);
  } else {
    mount(detail, emptyBox('Choose a group to see its lag and in-flight deliveries per partition.'));
  }
  return () => clearInterval(timer);
}
