// Streams: the streams this token can see (found by discovery.js or typed), and for one stream
// its partitions with their heads (the next offset) and its consumer groups.
import { h, mount, field, tableBox } from '../dom.js';
import { call, seg, recent, remember } from '../api.js';
import { discoverStreams, discoverGroups } from '../discovery.js';
import { problemBox, emptyBox } from '../problems.js';

export function render(main, [streamArg]) {
  const name = h('input', { name: 'stream', value: streamArg || '', required: true, list: 'stream-names', placeholder: 'orders' });
  const datalist = h('datalist#stream-names');
  const form = h('form.filters', { 'aria-label': 'Open a stream' }, field('Stream', name), datalist,
    h('div.buttons', h('button', { type: 'submit' }, 'Open')));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    if (name.value.trim()) location.hash = `#/streams/${encodeURIComponent(name.value.trim())}`;
  });
  const list = h('section', { 'aria-labelledby': 'streams-known' }, h('h2#streams-known', 'Streams'), h('p', 'Looking for streams…'));
  const detail = h('section');
  mount(main, h('h1', streamArg ? `Stream ${streamArg}` : 'Streams'), form, h('div.split', list, detail));

  discoverStreams().then(found => {
    const all = [...new Set([...found, ...recent('stream')])].sort();
    mount(datalist, all.map(n => h('option', { value: n })));
    mount(list, h('h2#streams-known', 'Streams'), all.length === 0
      ? emptyBox('No streams found for this token. Type a stream name above.')
      : h('ul.links', all.map(n => h('li', h('a', { href: `#/streams/${encodeURIComponent(n)}`,
        'aria-current': n === streamArg ? 'page' : null }, n)))));
  }).catch(e => mount(list, h('h2#streams-known', 'Streams'), problemBox(e, { context: 'finding streams' })));

  let timer = null;
  async function load() {
    try {
      const s = await call(`streams/${seg(streamArg)}`);
      remember('stream', streamArg);
      const heads = s.heads || [];
      const total = heads.reduce((a, p) => a + Number(p.head || 0), 0);
      const groups = await discoverGroups(streamArg).catch(() => []);
      mount(detail,
        h('h2', `${s.stream} · ${s.partitions} partition(s) · ${total} event(s)`),
        tableBox(`Partitions of ${s.stream}`, h('table.events', { 'data-testid': 'heads' },
          h('caption.sr-only', `Partition heads of ${s.stream}`),
          h('thead', h('tr', h('th', { scope: 'col' }, 'partition'), h('th', { scope: 'col' }, 'head (next offset)'))),
          // A partition is the entity stream:<s>/<p> in scope <s> (HTTP-API.md), so its events and
          // chain are one click away on the entity page.
          h('tbody', heads.map(p => h('tr', { 'data-partition': p.partition },
            h('td.num', h('a', { href: `#/entity/${encodeURIComponent(`stream:${s.stream}/${p.partition}`)}/${encodeURIComponent(s.stream)}`,
              'aria-label': `partition ${p.partition}: its events` }, String(p.partition))),
            h('td.num', String(p.head))))))),
        h('h3', 'Consumer groups'),
        groups.length === 0 ? emptyBox('No consumer groups yet (a group appears after its first configuration or poll).')
          : h('ul.links', groups.map(g => h('li', h('a', { href: `#/groups/${encodeURIComponent(g.stream)}/${encodeURIComponent(g.group)}` }, g.group)))),
        h('p.hint', `Updated ${new Date().toLocaleTimeString()}; refreshes every 5 s.`));
    } catch (e) {
      mount(detail, problemBox(e, { context: `stream ${streamArg}`, retry: load }));
    }
  }
  if (streamArg) {
    mount(detail, h('p', 'Loading…'));
    load();
    timer = setInterval(load, 5000);
  } else {
    mount(detail, emptyBox('Choose a stream to see its partitions and groups.'));
  }
  return () => clearInterval(timer);
}
