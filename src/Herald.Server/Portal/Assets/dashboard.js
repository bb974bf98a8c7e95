// The operator dashboard, for the platform's own staff: it asks for an admin API key, keeps it in memory only (a
// reload asks again), and calls the public API with it like any other client.
import { createApi, query } from './api.js';
import { h, replace, announce, errorText, when, field, pagedTable } from './ui.js';
import { stackedBars, tick } from './charts.js';

const main = document.getElementById('main');
const nav = document.getElementById('tabs');
let api = null;

login();

function login() {
  const key = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true });
  const form = h('form', { class: 'card', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Sign in'),
    field('Admin API key', key, 'Herald printed it at first start (or set Herald:Auth:AdminToken). It stays in this tab only.'),
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const candidate = createApi(key.value.trim());
    try {
      const who = await candidate.get('/auth/whoami');
      if (!who.admin) throw new Error('This key reaches one application only; the dashboard needs an admin key.');
      api = candidate;
      announce('Signed in.', 'success');
      tabs();
    } catch (err) {
      announce(err.status === 401 ? 'That key is not valid.' : errorText(err), 'error');
      key.focus();
    }
  });
  replace(main, form);
  key.focus();
}

function tabs() {
  const views = { Applications: applicationsView, 'Event types': eventTypesView, 'Operational webhooks': operationalView, 'API keys': apiKeysView };
  replace(nav, Object.entries(views).map(([name, view]) =>
    h('button', { type: 'button', class: 'tab', onclick: e => select(e.currentTarget, view) }, name)),
  h('button', { type: 'button', class: 'tab', onclick: () => { api = null; replace(nav); announce('Signed out.'); login(); } }, 'Sign out'));
  select(nav.firstChild, applicationsView);
}

function select(button, view) {
  for (const b of nav.children) b.removeAttribute('aria-current');
  button.setAttribute('aria-current', 'page');
  view();
}

function applicationsView() {
  const table = pagedTable({
    caption: 'Applications',
    headers: ['Name', 'Id', 'Health', 'Attempts, last 14 days', 'Created', ''],
    empty: 'No applications yet.',
    load: iterator => api.get(`/app${query({ limit: 20, iterator })}`),
    row: app => h('tr', {},
      h('td', {}, app.name),
      h('td', {}, h('code', {}, app.uid || app.id)),
      h('td', {}, health(app)),
      h('td', {}, attemptsChart(app)),
      h('td', {}, when(app.createdAt)),
      h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Open portal of ${app.name}`, onclick: () => openPortal(app) }, 'Open portal'))),
  });
  const name = h('input', { id: 'new-app-name', required: true });
  const uid = h('input', { id: 'new-app-uid' });
  const form = h('form', { class: 'inline', 'aria-label': 'New application' },
    field('New application name', name), field('Uid (optional)', uid),
    h('button', { type: 'submit' }, 'Create application'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api.post('/app', { name: name.value, uid: uid.value || undefined });
      announce(`Application ${name.value} created.`, 'success');
      name.value = ''; uid.value = '';
      table.reload();
    } catch (err) { announce(errorText(err), 'error'); }
  });
  const overview = h('section', { class: 'charts', 'aria-labelledby': 'overview-title' }, h('h2', { id: 'overview-title' }, 'All applications, last 14 days'));
  throughput(overview);
  replace(main, overview, h('h2', {}, 'Applications'), form, table);
}

/**
 * "3 endpoints · 1 disabled · 1 failing · 12 backlog", filled in after the row shows, from the application's endpoints
 * and, for the first 25 enabled ones, their latest attempt (failing: it failed) and delivery counts (backlog: deliveries
 * pending or being sent, GET /endpoint/{id}/stats).
 */
function health(app) {
  const cell = h('span', { class: 'hint' }, '…');
  (async () => {
    const list = await api.get(`/app/${app.id}/endpoint?limit=250`);
    const disabled = list.data.filter(e => e.disabled).length;
    const enabled = list.data.filter(e => !e.disabled).slice(0, 25);
    const [stats, latest] = await Promise.all([
      Promise.all(enabled.map(e => api.get(`/app/${app.id}/endpoint/${e.id}/stats`).catch(() => null))),
      Promise.all(enabled.map(e => api.get(`/app/${app.id}/attempt/endpoint/${e.id}?limit=1&with_content=false`).catch(() => null))),
    ]);
    const failing = latest.filter(x => x?.data?.[0]?.status === 2).length;
    const backlog = stats.reduce((n, x) => n + (x ? (x.pending ?? 0) + (x.sending ?? 0) : 0), 0);
    const count = list.data.length;
    replace(cell, `${count}${list.done ? '' : '+'} endpoint${count === 1 ? '' : 's'}`,
      disabled ? [' ', h('span', { class: 'badge badge-failed' }, `${disabled} disabled`)] : null,
      failing ? [' ', h('span', { class: 'badge badge-failed', title: 'endpoints whose latest attempt failed' }, `${failing} failing`)] : null,
      [' ', h('span', { class: backlog ? 'badge badge-pending' : 'badge', title: 'deliveries pending or being sent' }, `${backlog} backlog`)]);
    cell.className = 'health';
  })().catch(() => replace(cell, '?'));
  return cell;
}

/**
 * Successful and failed attempts per day across applications (the first 100), summed from each one's
 * GET /stats/app/{id}/attempt: Herald has no organisation-wide time series, and a dashboard's reader has a page of
 * applications in mind anyway.
 */
async function throughput(into) {
  try {
    const start = new Date(Date.now() - 13 * 86400000).toISOString();
    const apps = await api.get('/app?limit=100');
    const series = await Promise.all(apps.data.map(a =>
      api.get(`/stats/app/${a.id}/attempt${query({ period: 'OneDay', startDate: start })}`).catch(() => null)));
    const valid = series.filter(Boolean);
    const days = valid[0]?.data.successCount.length ?? 14;
    const ok = Array(days).fill(0), bad = Array(days).fill(0);
    for (const x of valid) {
      x.data.successCount.forEach((v, i) => { ok[i] += v; });
      x.data.failureCount.forEach((v, i) => { bad[i] += v; });
    }
    const total = ok.reduce((a, b) => a + b, 0), failed = bad.reduce((a, b) => a + b, 0);
    const rate = total + failed ? Math.round((100 * total) / (total + failed)) : null;
    const first = valid[0] ? Date.parse(valid[0].startDate) : Date.now() - 13 * 86400000;
    const last = valid[0] ? Date.parse(valid[0].endDate) - 1 : Date.now();
    into.append(
      h('p', { class: 'chart-summary' }, `${total + failed} attempts in ${apps.data.length}${apps.done ? '' : '+'} application${apps.data.length === 1 ? '' : 's'}: `,
        `${total} succeeded, ${failed} failed`, rate === null ? '' : ` (${rate}% succeeded)`),
      h('div', { class: 'chart-row' }, stackedBars({
        title: 'Attempts per day', ok, bad, start: tick(first), end: tick(last), summary: `${total} succeeded, ${failed} failed`,
      })));
  } catch (e) {
    into.append(h('p', { class: 'error' }, errorText(e)));
  }
}

/**
 * Daily successful and failed attempts of the last 14 days (GET /stats/app/{id}/attempt) as a small bar chart in
 * inline SVG — no chart library needed for this — with the totals in text for screen readers and at a glance.
 */
function attemptsChart(app) {
  const cell = h('span', { class: 'hint' }, '…');
  const start = new Date(Date.now() - 13 * 86400000).toISOString();
  api.get(`/stats/app/${app.id}/attempt${query({ period: 'OneDay', startDate: start })}`).then(stats => {
    const ok = stats.data.successCount, bad = stats.data.failureCount;
    const sum = a => a.reduce((x, y) => x + y, 0);
    const max = Math.max(1, ...ok.map((v, i) => v + bad[i]));
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${ok.length * 6} 24`);
    svg.setAttribute('class', 'spark');
    svg.setAttribute('aria-hidden', 'true');
    ok.forEach((v, i) => {
      const bar = (value, y0, cls) => {
        const r = document.createElementNS(ns, 'rect');
        const height = (value / max) * 24;
        r.setAttribute('x', String(i * 6)); r.setAttribute('width', '5');
        r.setAttribute('y', String(24 - y0 - height)); r.setAttribute('height', String(height));
        r.setAttribute('class', cls);
        svg.append(r);
        return height;
      };
      const okHeight = bar(v, 0, 'spark-ok');
      bar(bad[i], okHeight, 'spark-bad');
    });
    cell.className = 'attempts';
    replace(cell, svg, `${sum(ok)} ok`, sum(bad) ? h('span', { class: 'badge badge-failed' }, `${sum(bad)} failed`) : ' · 0 failed');
  }).catch(() => replace(cell, '?'));
  return cell;
}

async function openPortal(app) {
  try {
    const access = await api.post(`/auth/app-portal-access/${app.id}`, {});
    // A new tab: the token in the URL's fragment never reaches a server log, and this page keeps no copy of it.
    const link = h('a', { href: access.url, target: '_blank', rel: 'noopener noreferrer' }, `Open ${app.name}'s portal`);
    announce('');
    const status = document.getElementById('status');
    status.className = 'status status-success';
    replace(status, 'Portal link created (valid 7 days unless configured otherwise): ', link);
    link.focus();
  } catch (e) { announce(errorText(e), 'error'); }
}

function eventTypesView() {
  const name = h('input', { id: 'new-type-name', required: true, placeholder: 'invoice.paid' });
  const description = h('input', { id: 'new-type-description', required: true });
  const example = h('textarea', { id: 'new-type-example', rows: 4, placeholder: '{"id": "inv_1", "amount": 100}' });
  const title = h('h3', { id: 'new-type-title' }, 'New event type');
  const submit = h('button', { type: 'submit' }, 'Create event type');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => edit(null) }, 'Cancel');
  let editing = null;
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-type-title' },
    title,
    field('Name', name), field('Description', description),
    field('Example payload (JSON)', example, 'Shown in the app portal\'s catalog and sent by "send test event".'),
    h('div', { class: 'actions' }, submit, cancel));
  /** Fills the form with an existing type to change its description and example (its name is its key). */
  function edit(type) {
    editing = type;
    form.reset();
    name.disabled = !!type;
    cancel.hidden = !type;
    title.textContent = type ? `Edit ${type.name}` : 'New event type';
    submit.textContent = type ? 'Save event type' : 'Create event type';
    if (type) {
      name.value = type.name;
      description.value = type.description || '';
      const sample = type.schemas?.['1']?.examples?.[0];
      example.value = sample === undefined ? '' : JSON.stringify(sample, null, 2);
      description.focus();
    }
  }
  const table = pagedTable({
    caption: 'Event types',
    headers: ['Name', 'Description', 'Example', ''],
    empty: 'No event types yet.',
    load: iterator => api.get(`/event-type${query({ limit: 50, iterator, with_content: true })}`),
    row: t => h('tr', {},
      h('td', {}, h('code', {}, t.name)),
      h('td', {}, t.description),
      h('td', {}, t.schemas?.['1']?.examples?.[0] ? h('details', {}, h('summary', {}, 'show'), h('pre', {}, JSON.stringify(t.schemas['1'].examples[0], null, 2))) : '—'),
      h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${t.name}`, onclick: () => edit(t) }, 'Edit'))),
  });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const body = { description: description.value };
      // Only the first schema version's example is edited here; other schema fields of that version are kept.
      const schema = editing?.schemas?.['1'] ?? { type: 'object' };
      if (example.value.trim()) body.schemas = { ...(editing?.schemas || {}), 1: { ...schema, examples: [JSON.parse(example.value)] } };
      if (editing) {
        await api.patch(`/event-type/${encodeURIComponent(editing.name)}`, body);
        announce(`Event type ${editing.name} saved.`, 'success');
      } else {
        body.name = name.value.trim();
        await api.post('/event-type', body);
        announce(`Event type ${body.name} created.`, 'success');
      }
      edit(null);
      table.reload();
    } catch (err) { announce(err instanceof SyntaxError ? `The example is not JSON: ${err.message}` : errorText(err), 'error'); }
  });
  replace(main, h('h2', {}, 'Event types'), table, form);
}

// ---- Operational webhooks: Herald tells the operator about itself (failing deliveries, endpoint changes, tasks). ----

const operationalTypes = ['message.attempt.failing', 'message.attempt.exhausted', 'message.attempt.recovered',
  'endpoint.created', 'endpoint.updated', 'endpoint.deleted', 'endpoint.disabled', 'endpoint.enabled', 'background_task.finished'];

function operationalView() {
  const base = '/operational-webhook/endpoint';
  const secret = h('div', { class: 'secret' });
  const table = pagedTable({
    caption: 'Operational webhook endpoints',
    headers: ['URL', 'Event types', 'State', ''],
    empty: 'No operational webhook endpoints yet.',
    load: iterator => api.get(`${base}${query({ limit: 20, iterator })}`),
    row: ep => h('tr', {},
      h('td', {}, ep.url, ep.description ? h('div', { class: 'hint' }, ep.description) : null),
      h('td', {}, ep.filterTypes?.join(', ') || 'all'),
      h('td', {}, ep.disabled ? h('span', { class: 'badge badge-failed' }, 'disabled') : h('span', { class: 'badge badge-success' }, 'enabled')),
      h('td', {},
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `Signing secret of ${ep.url}`, onclick: async () => {
          try { replace(secret, `Signing secret of ${ep.url}: `, h('code', {}, (await api.get(`${base}/${ep.id}/secret`)).key)); } catch (e) { announce(errorText(e), 'error'); }
        } }, 'Secret'), ' ',
        h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${ep.url}`, onclick: async () => {
          if (!confirm(`Delete the operational webhook endpoint ${ep.url}?`)) return;
          try { await api.del(`${base}/${ep.id}`); announce('Operational webhook endpoint deleted.', 'success'); table.reload(); } catch (e) { announce(errorText(e), 'error'); }
        } }, 'Delete'))),
  });
  const url = h('input', { id: 'op-url', type: 'url', required: true, placeholder: 'https://ops.example.com/herald' });
  const description = h('input', { id: 'op-description' });
  const types = h('fieldset', { class: 'checks' }, h('legend', {}, 'Event types (none checked: all of them)'),
    operationalTypes.map((t, i) => h('label', { for: `op-type-${i}` }, h('input', { id: `op-type-${i}`, type: 'checkbox', value: t }), ` ${t}`)));
  const form = h('form', { class: 'card', 'aria-labelledby': 'op-title' },
    h('h3', { id: 'op-title' }, 'New operational webhook endpoint'),
    field('URL', url), field('Description', description), types,
    h('button', { type: 'submit' }, 'Add operational endpoint'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const picked = [...types.querySelectorAll('input:checked')].map(x => x.value);
    try {
      await api.post(base, { url: url.value.trim(), description: description.value, filterTypes: picked.length ? picked : undefined });
      announce('Operational webhook endpoint added.', 'success');
      form.reset();
      table.reload();
    } catch (err) { announce(errorText(err), 'error'); }
  });
  replace(main, h('h2', {}, 'Operational webhooks'),
    h('p', { class: 'hint' }, 'Webhooks about Herald itself, to your own systems: deliveries failing or exhausted, endpoints changed or disabled, background tasks finished.'),
    table, secret, form);
}

// ---- API keys: Herald keeps only their hashes, so a secret is shown once, when created or rotated. ----

function apiKeysView() {
  const once = h('div');
  const showOnce = (what, key) => {
    const code = h('code', { id: 'new-key-secret' }, key.key);
    replace(once, h('div', { class: 'card once', role: 'alert' },
      h('p', {}, h('strong', {}, `${what} ${key.name || key.id}. `), 'Copy the secret now: it is shown only once.'),
      h('p', { class: 'secret' }, code),
      h('button', { type: 'button', class: 'secondary small', onclick: () => navigator.clipboard?.writeText(key.key).then(() => announce('Copied.', 'success'), () => {}) }, 'Copy'),
      ' ',
      h('button', { type: 'button', class: 'secondary small', onclick: () => replace(once) }, 'Done')));
    code.scrollIntoView?.({ block: 'nearest' });
  };
  const table = pagedTable({
    caption: 'API keys',
    headers: ['Name', 'Id', 'Scopes', 'Created', 'Expires', 'Last used', ''],
    empty: 'No API keys yet.',
    load: iterator => api.get(`/auth/api-key${query({ limit: 20, iterator })}`),
    row: k => h('tr', {},
      h('td', {}, k.name || '—', k.prefix ? h('div', { class: 'hint' }, h('code', {}, `${k.prefix}…`)) : null),
      h('td', {}, h('code', {}, k.id)),
      h('td', {}, (k.scopes || []).join(', ')),
      h('td', {}, when(k.createdAt)),
      h('td', {}, k.revokedAt ? h('span', { class: 'badge badge-failed' }, 'revoked') : k.expiresAt ? when(k.expiresAt) : 'never'),
      h('td', {}, k.lastUsedAt ? when(k.lastUsedAt) : 'never'),
      h('td', {}, k.revokedAt ? null : [
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `Rotate ${k.name || k.id}`, onclick: async () => {
          if (!confirm(`Rotate ${k.name || k.id}? The old secret stops working at once.`)) return;
          try { showOnce('Rotated', await api.post(`/auth/api-key/${k.id}/rotate`, {})); table.reload(); } catch (e) { announce(errorText(e), 'error'); }
        } }, 'Rotate'), ' ',
        h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke ${k.name || k.id}`, onclick: async () => {
          if (!confirm(`Revoke ${k.name || k.id}? Requests with it are refused from now on.`)) return;
          try { await api.del(`/auth/api-key/${k.id}`); announce('API key revoked.', 'success'); table.reload(); } catch (e) { announce(errorText(e), 'error'); }
        } }, 'Revoke')])),
  });
  const name = h('input', { id: 'key-name', required: true, placeholder: 'billing-service' });
  const scope = h('select', { id: 'key-scope' },
    h('option', { value: 'admin' }, 'admin: everything'),
    h('option', { value: 'admin:read' }, 'admin:read: read everything'),
    h('option', { value: 'app' }, 'one application'),
    h('option', { value: 'app:read' }, 'one application, read only'));
  const appId = h('input', { id: 'key-app', placeholder: 'app_…' });
  const appField = field('Application id', appId, 'For the application scopes: its id (app_…).');
  const days = h('input', { id: 'key-expiry', type: 'number', min: 1, max: 3650 });
  const syncScope = () => { appField.hidden = !scope.value.startsWith('app'); appId.required = !appField.hidden; };
  scope.addEventListener('change', syncScope);
  syncScope();
  const form = h('form', { class: 'card', 'aria-labelledby': 'key-title' },
    h('h3', { id: 'key-title' }, 'New API key'),
    field('Name', name), field('Scope', scope), appField,
    field('Expires after (days)', days, 'Empty: never.'),
    h('button', { type: 'submit' }, 'Create API key'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const scopes = scope.value === 'app' ? [`app:${appId.value.trim()}`]
      : scope.value === 'app:read' ? [`app:${appId.value.trim()}:read`] : [scope.value];
    try {
      const created = await api.post('/auth/api-key', { name: name.value.trim(), scopes, expiry: days.value ? Number(days.value) * 86400 : undefined });
      showOnce('Created', created);
      form.reset();
      syncScope();
      table.reload();
    } catch (err) { announce(errorText(err), 'error'); }
  });
  replace(main, h('h2', {}, 'API keys'), once, table, form);
}
