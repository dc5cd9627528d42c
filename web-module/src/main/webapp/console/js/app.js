// The console's shell: sign-in, navigation (hash routes, so the WAR needs no server-side
// routing) and the view lifecycle. A view is render(main, args) -> cleanup function.
import { h, mount, field, announce } from './dom.js';
import { call, token, setToken, clearToken, claims, ApiError } from './api.js';
import { problemBox } from './problems.js';
import * as tail from './views/tail.js';
import * as entity from './views/entity.js';
import * as streams from './views/streams.js';
import * as groups from './views/groups.js';
import * as dashboard from './views/dashboard.js';
import * as health from './views/health.js';

const VIEWS = { tail, entity, streams, groups, dashboard, health };
const main = document.getElementById('main');
let cleanup = null;

function signInView(message) {
  const input = h('textarea', { name: 'token', rows: '4', required: true, autocomplete: 'off', spellcheck: 'false' });
  const status = h('div');
  const form = h('form.card.sign-in', { 'aria-labelledby': 'sign-in-title' },
    h('h1#sign-in-title', { tabindex: '-1' }, 'Sign in'),
    h('p', 'Paste a bearer token (a JWT). The console sends it as ',
      h('code', 'Authorization: Bearer'), ' to the same /api/v1 endpoints as any client, so its roles and grants apply unchanged. ',
      'It is kept in this tab\'s session storage only.'),
    h('p.hint', 'On a fresh server the generated admin token is in ', h('code', 'batpak-data/auth/admin.token'), '.'),
    field('Bearer token', input),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
    message ? problemBox(message) : null);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const t = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!t) return;
    setToken(t);
    mount(status, h('p', 'Checking the token…'));
    try {
      await call('stats');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        clearToken();
        mount(status, problemBox(e));
        return;
      }
      // 403 (no reader role) or 503 still means an authentic token: sign in, the views say what fails.
    }
    // A fresh page for the new token: no rows, samples or subscriptions of an earlier one survive.
    location.replace('#/tail');
    location.reload();
  });
  return form;
}

function showWho() {
  const signedIn = Boolean(token());
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (signedIn) {
    const c = claims() || {};
    const name = c.upn || c.preferred_username || c.sub || 'unknown';
    const roles = Array.isArray(c.groups) && c.groups.length ? c.groups.join(', ') : 'none';
    const grants = Array.isArray(c.batpak_scopes) ? (c.batpak_scopes.join(', ') || 'none') : 'none';
    mount(document.getElementById('who-name'), 'Signed in as ', h('strong', name),
      h('span.hint', ` · roles: ${roles} · scopes: ${grants}`));
  }
}

function route() {
  if (cleanup) { try { cleanup(); } catch (e) { /* a view's cleanup must not block navigation */ } }
  cleanup = null;
  showWho();
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!token() || name === 'sign-in') {
    mount(main, signInView());
    main.querySelector('textarea').focus();
    return;
  }
  const view = VIEWS[name] || tail;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${VIEWS[name] ? name : 'tail'}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  cleanup = view.render(main, args.filter(a => a !== '')) || null;
  // Move focus to the new view's heading, so keyboard and screen reader users land on it.
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent} · batpak console`;
    announce(heading.textContent);
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  // Forget the token and everything seen with it (tail rows, samples, recent names): a reload
  // drops the views' in-memory state, and the session keys are removed.
  for (const k of Object.keys(sessionStorage)) if (k.startsWith('batpak.console.')) sessionStorage.removeItem(k);
  location.replace('#/sign-in');
  location.reload();
});
// The skip link must not change the hash: the hash is the route.
document.querySelector('.skip').addEventListener('click', ev => { ev.preventDefault(); main.focus(); });
window.addEventListener('hashchange', route);
route();
