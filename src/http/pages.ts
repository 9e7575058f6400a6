import type { Hono } from 'hono';
import type { AppEnv } from './http.types.js';

/**
 * The first-start page: until the web app lands, `/` asks for the first administrator when Herald is new,
 * and offers a login form afterwards. It talks to the same public API as everything else.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem;margin-bottom:.2rem} p.lead{color:#566}
label{display:block;margin:.8rem 0 .2rem;font-weight:600} input,select{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font:inherit;background:#1f5eff;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;margin-top:1rem;white-space:pre-wrap} .ok{color:#0a7a33;margin-top:1rem} [hidden]{display:none}
fieldset{border:1px solid #ccd;padding:0 1rem 1rem;margin-top:1rem}
</style></head>
<body>
<h1>Herald</h1><p class="lead">The SMS center for your business systems.</p>
<form id="setup" hidden>
  <h2>Create the first administrator</h2>
  <p>This Herald is new. The account you create here can manage everything; there are no default passwords.</p>
  <label for="s-name">Your name</label><input id="s-name" name="name" required maxlength="120" autocomplete="name">
  <label for="s-email">Email</label><input id="s-email" name="email" type="email" required autocomplete="username">
  <label for="s-password">Password (at least 12 characters)</label><input id="s-password" name="password" type="password" minlength="12" required autocomplete="new-password">
  <fieldset><legend>Your first org unit</legend>
  <label for="s-unit">Name</label><input id="s-unit" name="unit" required value="Head Office" maxlength="120">
  <label for="s-region">Default phone region (ISO code)</label><input id="s-region" name="region" required value="DE" maxlength="2" pattern="[A-Z]{2}">
  <label for="s-tz">Time zone</label><input id="s-tz" name="tz" required value="Europe/Berlin">
  </fieldset>
  <button type="submit">Create administrator</button>
</form>
<form id="login" hidden>
  <h2>Log in</h2>
  <label for="l-email">Email</label><input id="l-email" name="email" type="email" required autocomplete="username">
  <label for="l-password">Password</label><input id="l-password" name="password" type="password" required autocomplete="current-password">
  <button type="submit">Log in</button>
</form>
<div id="me" hidden><p class="ok" id="me-text"></p></div>
<p class="error" id="error" role="alert"></p>
<p><a href="/api/docs">API reference</a></p>
<script src="/app.js"></script>
</body></html>`;

const SCRIPT = `(() => {
  const $ = (id) => document.getElementById(id);
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone; if (tz) $('s-tz').value = tz;
  const show = (id) => { for (const x of ['setup','login','me']) $(x).hidden = x !== id; };
  const fail = async (r) => { const p = await r.json().catch(() => ({})); $('error').textContent = p.detail || ('Error ' + r.status); };
  const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  async function refresh() {
    $('error').textContent = '';
    const s = await (await fetch('/api/setup')).json();
    if (s.needed) return show('setup');
    const me = await fetch('/api/auth/me');
    if (me.ok) { const m = await me.json(); $('me-text').textContent = 'Logged in as ' + m.name + ' (' + (m.roles || []).join(', ') + ').'; return show('me'); }
    show('login');
  }
  $('setup').addEventListener('submit', async (e) => {
    e.preventDefault(); const f = e.target.elements;
    const r = await post('/api/setup', { name: f.name.value, email: f.email.value, password: f.password.value,
      orgUnit: { name: f.unit.value, defaultRegion: f.region.value.toUpperCase(), timezone: f.tz.value } });
    if (!r.ok) return fail(r);
    $('l-email').value = f.email.value; refresh();
  });
  $('login').addEventListener('submit', async (e) => {
    e.preventDefault(); const f = e.target.elements;
    const r = await post('/api/auth/login', { email: f.email.value, password: f.password.value });
    if (!r.ok) return fail(r); refresh();
  });
  refresh();
})();`;

export function mountPages(app: Hono<AppEnv>) {
  app.get('/', (c) => c.html(PAGE));
  app.get('/app.js', (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
}
