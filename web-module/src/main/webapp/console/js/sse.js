// Server-Sent Events over fetch(). EventSource cannot send an Authorization header, so the
// console reads text/event-stream itself from a ReadableStream. Hand-written because it is
// ~80 lines of the WHATWG parsing rules and no dependency is worth a download for that.
// Resuming: every (re)connect sends Last-Event-ID = the last id handed to onEvent, and events
// with an id at or below it are dropped, so a pause, a reconnect or a network blip neither
// loses nor repeats an event (the server resumes exclusive of Last-Event-ID).

import { url, headers, problemOf, ApiError } from './api.js';

/** Parse a text/event-stream body; calls onMessage({id, event, data}) per dispatched message. */
export async function readEvents(body, onMessage, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let data = [];
  let id = null;
  let event = '';
  const onAbort = () => reader.cancel().catch(() => {});
  signal && signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length) onMessage({ id, event: event || 'message', data: data.join('\n') });
          data = [];
          event = '';
          continue;
        }
        if (line[0] === ':') continue; // a comment: keep-alive
        const c = line.indexOf(':');
        const name = c < 0 ? line : line.slice(0, c);
        let val = c < 0 ? '' : line.slice(c + 1);
        if (val[0] === ' ') val = val.slice(1);
        if (name === 'data') data.push(val);
        else if (name === 'id' && !val.includes('\0')) id = val;
        else if (name === 'event') event = val;
      }
    }
  } finally {
    signal && signal.removeEventListener('abort', onAbort);
  }
}

/**
 * A resumable subscription to /api/v1/subscribe. Call start() / stop(); stop() closes the
 * connection and start() reconnects from the last id seen. States go to onState:
 * 'connecting' | 'live' | 'paused' | 'retrying' | 'error' (with the ApiError).
 */
export class Tail {
  constructor({ filter, after, onEvent, onState }) {
    this.filter = filter;       // {scope, entityPrefix, kind}
    this.after = after;         // globalSequence to start after (exclusive) on the first connect
    this.lastId = null;         // last globalSequence handed to onEvent
    this.onEvent = onEvent;
    this.onState = onState;
    this.controller = null;
    this.retryMs = 500;
    this.timer = null;
  }

  get running() { return this.controller !== null; }

  start() {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.run(controller);
  }

  stop(state = 'paused') {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.onState(state);
  }

  async run(controller) {
    const signal = controller.signal;
    this.onState('connecting');
    const h = headers({ Accept: 'text/event-stream' });
    const query = { ...this.filter };
    if (this.lastId !== null) h.set('Last-Event-ID', this.lastId);
    else if (this.after !== null && this.after !== undefined) query.after = this.after;
    try {
      const res = await fetch(url('subscribe', query), { headers: h, signal, cache: 'no-store' });
      if (!res.ok) {
        const err = await problemOf(res);
        // 401/403/400 will not heal by retrying; 429/503 and the rest might.
        if ([400, 401, 403, 404].includes(res.status)) { this.fail(controller, err); return; }
        throw err;
      }
      this.retryMs = 500;
      this.onState('live');
      await readEvents(res.body, msg => {
        if (signal.aborted || msg.id === null) return;
        const gs = Number(msg.id);
        if (this.lastId !== null && gs <= Number(this.lastId)) return; // already shown
        this.lastId = msg.id;
        let ev;
        try { ev = JSON.parse(msg.data); } catch (e) { return; }
        this.onEvent(ev);
      }, signal);
      if (!signal.aborted) this.retry(controller, null); // the server closed the stream
    } catch (e) {
      if (signal.aborted) return;
      this.retry(controller, e instanceof ApiError ? e : new ApiError(0, null));
    }
  }

  fail(controller, err) {
    if (this.controller === controller) this.controller = null;
    this.onState('error', err);
  }

  retry(controller, err) {
    if (this.controller !== controller) return;
    this.onState('retrying', err);
    const wait = err && err.retryAfter ? err.retryAfter * 1000 : this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10000);
    this.timer = setTimeout(() => {
      if (this.controller === controller) this.run(controller);
    }, wait);
  }
}
