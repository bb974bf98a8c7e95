// The operator dashboard, for the platform's own staff: it asks for an admin API key, keeps it in memory only (a
// reload asks again), and calls the public API with it like any other client.
import { createApi, query } from './api.js';
import { h, replace, announce, errorText, when, field, pagedTable } from './ui.js';

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
  const views = { Applications: applicationsView, 'Event types': eventTypesView };
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
    headers: ['Name', 'Id', 'Endpoints', 'Attempts, last 14 days', 'Created', ''],
    empty: 'No applications yet.',
    load: iterator => api.get(`/app${query({ limit: 20, iterator })}`),
    row: app => h('tr', {},
      h('td', {}, app.name),
      h('td', {}, h('code', {}, app.uid || app.id)),
      h('td', {}, health(app)),
      h('td', {}, attemptsChart(app)),
      h('td', {}, when(app.createdAt)),
      h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Open the portal of ${app.name}`, onclick: () => openPortal(app) }, 'Open portal'))),
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
  replace(main, h('h2', {}, 'Applications'), form, table);
}

/** "3 endpoints, 1 disabled": filled in after the row shows, from the application's endpoint list. */
function health(app) {
  const cell = h('span', { class: 'hint' }, '…');
  api.get(`/app/${app.id}/endpoint?limit=250`).then(list => {
    const disabled = list.data.filter(e => e.disabled).length;
    replace(cell, `${list.data.length}${list.done ? '' : '+'} endpoint${list.data.length === 1 ? '' : 's'}`,
      disabled ? h('span', { class: 'badge badge-failed' }, `${disabled} disabled`) : null);
    cell.className = '';
  }).catch(() => replace(cell, '?'));
  return cell;
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
  const table = pagedTable({
    caption: 'Event types',
    headers: ['Name', 'Description', 'Example'],
    empty: 'No event types yet.',
    load: iterator => api.get(`/event-type${query({ limit: 50, iterator, with_content: true })}`),
    row: t => h('tr', {},
      h('td', {}, h('code', {}, t.name)),
      h('td', {}, t.description),
      h('td', {}, t.schemas?.['1']?.examples?.[0] ? h('details', {}, h('summary', {}, 'show'), h('pre', {}, JSON.stringify(t.schemas['1'].examples[0], null, 2))) : '—')),
  });
  const name = h('input', { id: 'new-type-name', required: true, placeholder: 'invoice.paid' });
  const description = h('input', { id: 'new-type-description', required: true });
  const example = h('textarea', { id: 'new-type-example', rows: 4, placeholder: '{"id": "inv_1", "amount": 100}' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-type-title' },
    h('h3', { id: 'new-type-title' }, 'New event type'),
    field('Name', name), field('Description', description),
    field('Example payload (JSON)', example, 'Shown in the app portal\'s catalog and sent by "send test event".'),
    h('button', { type: 'submit' }, 'Create event type'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const body = { name: name.value.trim(), description: description.value };
      if (example.value.trim()) body.schemas = { 1: { type: 'object', examples: [JSON.parse(example.value)] } };
      await api.post('/event-type', body);
      announce(`Event type ${body.name} created.`, 'success');
      form.reset();
      table.reload();
    } catch (err) { announce(err instanceof SyntaxError ? `The example is not JSON: ${err.message}` : errorText(err), 'error'); }
  });
  replace(main, h('h2', {}, 'Event types'), table, form);
}
