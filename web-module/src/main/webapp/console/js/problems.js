// One place that turns a failed call into a clear message: what happened, why, what to do.
import { h } from './dom.js';

const WHAT = {
  0: ['Cannot reach the server', 'The request did not get an answer. Is the server running and reachable?'],
  401: ['Not signed in: the token was not accepted',
    'The server refused the token (missing, malformed, expired, wrong signature, issuer or audience). Sign in again with a valid token.'],
  403: ['Forbidden: this token may not do that',
    'The token is valid but lacks the role this view needs (reader for reads and live tail, writer for writes, admin for configuration), or the scope is outside its grants. Ask for a token with the role.'],
  404: ['Not found', 'Nothing by that name is reachable with this token (it does not exist or is outside its grants).'],
  429: ['Too many subscriptions', 'This principal has too many live subscriptions open. Close another tab or wait.'],
  503: ['The store is unavailable', 'The server is starting, shutting down, or its writer failed. Check the Health view; retry shortly.'],
};

/** A problem box (role=alert) for an ApiError; retry is an optional callback. */
export function problemBox(err, { retry, context } = {}) {
  const status = err && err.status !== undefined ? err.status : 0;
  const [title, advice] = WHAT[status] || [`Request failed (HTTP ${status})`, ''];
  const detail = err && err.problem && (err.problem.detail || err.problem.title);
  return h('div.problem', { role: 'alert', 'data-status': String(status), 'data-code': err && err.code },
    h('p.problem-title', h('strong', title), context ? ` — ${context}` : ''),
    advice ? h('p', advice) : null,
    detail ? h('p.detail', 'Server said: ', h('q', detail), err.code ? ` (code ${err.code})` : '') : null,
    err && err.retryAfter ? h('p', `Retry after ${err.retryAfter} s.`) : null,
    status === 401 && location.hash !== '#/sign-in' ? h('p', h('a', { href: '#/sign-in' }, 'Sign in again')) : null,
    retry ? h('p', h('button', { type: 'button', onclick: retry }, 'Retry')) : null);
}

export function emptyBox(text, ...more) {
  return h('div.empty', h('p', text), ...more);
}
