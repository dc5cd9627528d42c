// The console's only way to the server: the same /api/v1 endpoints any client uses, with the
// signed-in token as "Authorization: Bearer", so the token's roles and grants apply unchanged.
// URLs are relative to the console's own location, so the console works under any context root
// (/ on Payara Micro, /batpak in the EAR).

const TOKEN_KEY = 'batpak.console.token';
export const API = new URL('../api/v1/', document.baseURI);

/** The bearer token, kept in sessionStorage only: it is gone when the tab closes. */
export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(t) { sessionStorage.setItem(TOKEN_KEY, t); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

/** The claims of the token, decoded for display only (the server verifies it; we cannot). */
export function claims() {
  try {
    const part = (token() || '').split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, c => c.charCodeAt(0))));
  } catch (e) {
    return null;
  }
}

/** A failed call: HTTP status (0 = network), the problem+json body when there was one. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem && (problem.detail || problem.title) || (status ? `HTTP ${status}` : 'network error'));
    this.status = status;
    this.problem = problem || null;
    this.code = problem && problem.code;
    this.retryAfter = retryAfter;
  }
}

export function headers(extra) {
  const h = new Headers(extra || {});
  const t = token();
  if (t) h.set('Authorization', `Bearer ${t}`);
  return h;
}

/** Build an /api/v1 URL; query entries with empty values are left out. */
export function url(path, query) {
  const u = new URL(path, API);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

/** One path segment, percent-encoded (entity and stream names may contain ':' or spaces). */
export function seg(s) { return encodeURIComponent(s); }

async function failure(res) {
  let problem = null;
  try {
    const text = await res.text();
    problem = text ? JSON.parse(text) : null;
  } catch (e) {
    problem = null;
  }
  const after = res.headers.get('Retry-After');
  return new ApiError(res.status, problem, after ? Number(after) : undefined);
}

/** GET/POST JSON; resolves to the parsed body, rejects with ApiError. */
export async function call(path, { method = 'GET', query, body, signal } = {}) {
  let res;
  try {
    res = await fetch(url(path, query), {
      method,
      signal,
      headers: headers(body === undefined ? { Accept: 'application/json' }
        : { Accept: 'application/json', 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export { failure as problemOf };

/**
 * MicroProfile Health, which is open (no token). It is served beside the application: at
 * ../health when the app is at the root, else at the server's /health.
 */
export async function health(which) {
  for (const base of [new URL(`../health/${which}`, document.baseURI), new URL(`/health/${which}`, location.origin)]) {
    let res;
    try {
      res = await fetch(base, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, null);
    }
    if (res.status === 404) continue;
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { status: res.status, body };
  }
  throw new ApiError(404, { title: 'Not found', detail: 'no MicroProfile Health endpoint found' });
}

// Recently used names (streams, groups, entities) so the user need not retype them; per tab.
export function recent(kind) {
  try { return JSON.parse(sessionStorage.getItem(`batpak.console.recent.${kind}`)) || []; } catch (e) { return []; }
}
export function remember(kind, name) {
  if (!name) return;
  const list = [name, ...recent(kind).filter(n => n !== name)].slice(0, 10);
  sessionStorage.setItem(`batpak.console.recent.${kind}`, JSON.stringify(list));
}
