// There is no "list streams" or "list groups" endpoint. A stream's partition count and a group's
// configuration are stored as events (kinds 0xE001 and 0xE002 of the entities stream:<s> and
// group:<s>/<g>, see HTTP-API.md "Streams"), so the console finds them with the ordinary query
// GET /events?entityPrefix=…&kind=…; grants filter it like any read. Names typed by the user are
// remembered too, for tokens or stores where the query finds nothing.
import { call } from './api.js';

const STREAM_CONFIG = 0xE001;
const GROUP_CONFIG = 0xE002;
const MAX_PAGES = 5;

async function names(prefix, kind, pick) {
  const out = new Set();
  let after = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await call('events', { query: { entityPrefix: prefix, kind, after, limit: 1000 } });
    for (const ev of page.events) {
      const name = pick(ev.entity.slice(prefix.length));
      if (name) out.add(name);
    }
    if (page.next === null || page.next === undefined || page.events.length === 0) break;
    after = page.next;
  }
  return [...out].sort();
}

/** Stream names reachable with this token. */
export function discoverStreams() {
  return names('stream:', STREAM_CONFIG, rest => (rest.includes('/') ? null : rest));
}

/** [{stream, group}] reachable with this token, of one stream or of all. */
export async function discoverGroups(stream) {
  const prefix = stream ? `group:${stream}/` : 'group:';
  const list = await names(prefix, GROUP_CONFIG, rest => (stream ? `${stream}/${rest}` : rest));
  return list.map(s => {
    const i = s.indexOf('/');
    return { stream: s.slice(0, i), group: s.slice(i + 1) };
  }).filter(g => g.stream && g.group);
}
