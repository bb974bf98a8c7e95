// The app portal: one application's endpoints, event catalog and logs, for the platform's customer. Its only key is
// the app-portal token in the URL fragment (#token=…, as POST /api/v1/auth/app-portal-access returns it), kept in
// memory for the page's life and removed from the address bar at once, so it stays out of history and shared links.
import { createApi, query } from './api.js';
import { h, replace, announce, errorText, when, field, pagedTable, statusBadge, statusNames } from './ui.js';
import { applyTheme, reportHeightToParent } from './theme.js';

const params = new URLSearchParams(location.search);
const icon = applyTheme(params);
const appId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (location.hash) history.replaceState(null, '', location.pathname + location.search);

const main = document.getElementById('main');
const nav = document.getElementById('tabs');
const api = createApi(token);
const app = `/app/${encodeURIComponent(appId)}`;
let can = {};
let eventTypeNames = [];

reportHeightToParent();
start();

async function start() {
  if (icon) document.getElementById('brand').prepend(h('img', { src: icon, alt: '', class: 'logo' }));
  if (!token) {
    replace(main, h('p', { class: 'error', role: 'alert' },
      'This page needs an app-portal link with its token (…#token=…). Ask the service that sent you here for a new link.'));
    return;
  }
  try {
    const [who, application] = await Promise.all([api.get('/auth/whoami'), api.get(app)]);
    const caps = new Set(who.capabilities);
    can = {
      manage: caps.has('ManageEndpoint'),
      viewSecret: caps.has('ViewEndpointSecret') || caps.has('ManageEndpointSecret') || caps.has('ManageEndpoint'),
      rotateSecret: caps.has('ManageEndpointSecret') || caps.has('ManageEndpoint'),
      attempts: caps.has('CreateAttempts'),
    };
    document.getElementById('app-name').textContent = application.name;
    document.title = `${application.name} · Webhooks`;
    if (who.readOnly) document.getElementById('brand').append(h('span', { class: 'badge' }, 'read-only'));
    api.get('/event-type?limit=250').then(list => { eventTypeNames = list.data.map(t => t.name); }).catch(() => {});
    tabs();
  } catch (e) {
    replace(main, h('p', { class: 'error', role: 'alert' },
      e.status === 401 ? 'This portal link has expired or was revoked. Ask for a new one.' : `Cannot open the portal: ${errorText(e)}`));
  }
}

function tabs() {
  const views = { Endpoints: endpointsView, 'Event catalog': catalogView, Logs: logsView };
  replace(nav, Object.entries(views).map(([name, view]) =>
    h('button', { type: 'button', class: 'tab', onclick: e => select(e.currentTarget, view) }, name)));
  select(nav.firstChild, endpointsView);
}

function select(button, view) {
  for (const b of nav.children) b.removeAttribute('aria-current');
  button.setAttribute('aria-current', 'page');
  view();
}

// ---- Endpoints -------------------------------------------------------------------------------------------------

function endpointsView() {
  const table = pagedTable({
    caption: 'Endpoints',
    headers: ['URL', 'Description', 'Event types', 'State'],
    empty: 'No endpoints yet.',
    load: iterator => api.get(`${app}/endpoint${query({ limit: 20, iterator })}`),
    row: ep => h('tr', {},
      h('td', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); endpointView(ep.id); } }, ep.url)),
      h('td', {}, ep.description),
      h('td', {}, ep.filterTypes?.join(', ') || 'all'),
      h('td', {}, ep.disabled ? h('span', { class: 'badge badge-failed' }, 'disabled') : h('span', { class: 'badge badge-success' }, 'enabled'))),
  });
  replace(main,
    h('div', { class: 'toolbar' }, h('h2', {}, 'Endpoints'),
      can.manage ? h('button', { type: 'button', onclick: () => endpointForm(null) }, 'Add endpoint') : null),
    table);
}

function endpointForm(existing) {
  const id = s => `ep-${s}`;
  const url = h('input', { id: id('url'), type: 'url', required: true, value: existing?.url ?? '', placeholder: 'https://example.com/webhooks' });
  const description = h('input', { id: id('description'), value: existing?.description ?? '' });
  const selected = new Set(existing?.filterTypes ?? []);
  const types = h('fieldset', { class: 'checks' }, h('legend', {}, 'Event types (none checked: all of them)'),
    eventTypeNames.length
      ? eventTypeNames.map((name, i) => h('label', { for: id(`type-${i}`) },
        h('input', { id: id(`type-${i}`), type: 'checkbox', value: name, checked: selected.has(name) }), ` ${name}`))
      : h('p', { class: 'hint' }, 'The catalog has no event types: this endpoint receives every message.'));
  const channels = h('input', { id: id('channels'), value: existing?.channels?.join(', ') ?? '' });
  const rateLimit = h('input', { id: id('rate'), type: 'number', min: 1, value: existing?.rateLimit ?? '' });
  const timeout = h('input', { id: id('timeout'), type: 'number', min: 1, max: 60, value: existing?.timeoutSeconds ?? '' });
  const headers = h('textarea', { id: id('headers'), rows: 3, placeholder: 'X-Example: value' });
  const form = h('form', { class: 'card', 'aria-labelledby': id('title') },
    h('h2', { id: id('title') }, existing ? 'Edit endpoint' : 'Add endpoint'),
    field('Endpoint URL', url),
    field('Description', description),
    types,
    field('Channels', channels, 'Comma-separated; empty: every channel.'),
    field('Rate limit (messages per second)', rateLimit, 'Empty: no limit.'),
    field('Timeout (seconds)', timeout, 'Empty: the server default.'),
    existing ? null : field('Custom headers', headers, 'One "Name: value" per line, sent with every delivery.'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, existing ? 'Save' : 'Create'),
      h('button', { type: 'button', class: 'secondary', onclick: () => existing ? endpointView(existing.id) : endpointsView() }, 'Cancel')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const list = s => s.split(',').map(x => x.trim()).filter(Boolean);
    const body = {
      url: url.value.trim(),
      description: description.value,
      filterTypes: [...types.querySelectorAll('input:checked')].map(x => x.value),
      channels: list(channels.value),
      rateLimit: rateLimit.value ? Number(rateLimit.value) : null,
      timeoutSeconds: timeout.value ? Number(timeout.value) : null,
    };
    if (!body.filterTypes.length) body.filterTypes = null;
    if (!body.channels.length) body.channels = null;
    try {
      let saved;
      if (existing) {
        saved = await api.patch(`${app}/endpoint/${existing.id}`, body);
      } else {
        const extra = Object.fromEntries(headers.value.split('\n').map(l => l.split(':')).filter(p => p.length > 1 && p[0].trim())
          .map(([k, ...v]) => [k.trim(), v.join(':').trim()]));
        saved = await api.post(`${app}/endpoint`, { ...body, headers: Object.keys(extra).length ? extra : undefined });
      }
      announce(existing ? 'Endpoint saved.' : 'Endpoint created.', 'success');
      endpointView(saved.id);
    } catch (err) {
      announce(errorText(err), 'error');
    }
  });
  replace(main, form);
  url.focus();
}

async function endpointView(endpointId) {
  const path = `${app}/endpoint/${endpointId}`;
  let ep;
  try {
    ep = await api.get(path);
  } catch (e) {
    announce(errorText(e), 'error');
    return endpointsView();
  }
  const act = (label, run, cls) => h('button', { type: 'button', class: cls, onclick: async () => {
    try { await run(); } catch (e) { announce(errorText(e), 'error'); }
  } }, label);
  const secret = h('div', { class: 'secret' });
  const stats = h('div', { class: 'stats', 'aria-label': 'Delivery counts' });
  api.get(`${path}/stats`).then(s => replace(stats, ['success', 'pending', 'sending', 'fail'].map(k =>
    h('div', { class: `stat stat-${k}` }, h('strong', {}, String(s[k] ?? 0)), ` ${k === 'fail' ? 'failed' : k}`)))).catch(() => {});
  replace(main,
    h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); endpointsView(); } }, '← All endpoints')),
    h('div', { class: 'toolbar' }, h('h2', {}, ep.url),
      ep.disabled ? h('span', { class: 'badge badge-failed' }, 'disabled') : h('span', { class: 'badge badge-success' }, 'enabled')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, ep.id)),
      h('dt', {}, 'Description'), h('dd', {}, ep.description || '—'),
      h('dt', {}, 'Event types'), h('dd', {}, ep.filterTypes?.join(', ') || 'all'),
      h('dt', {}, 'Channels'), h('dd', {}, ep.channels?.join(', ') || 'all'),
      h('dt', {}, 'Rate limit'), h('dd', {}, ep.rateLimit ? `${ep.rateLimit}/s` : 'none'),
      h('dt', {}, 'Created'), h('dd', {}, when(ep.createdAt))),
    stats,
    h('div', { class: 'actions' },
      can.manage ? act('Edit', () => endpointForm(ep)) : null,
      can.manage ? act(ep.disabled ? 'Enable' : 'Disable', async () => {
        await api.patch(path, { disabled: !ep.disabled });
        announce(ep.disabled ? 'Endpoint enabled.' : 'Endpoint disabled.', 'success');
        endpointView(endpointId);
      }, 'secondary') : null,
      can.manage ? act('Delete', async () => {
        if (!confirm(`Delete the endpoint ${ep.url}? Its delivery history goes with it.`)) return;
        await api.del(path);
        announce('Endpoint deleted.', 'success');
        endpointsView();
      }, 'danger') : null),
    can.viewSecret ? h('section', { 'aria-labelledby': 'secret-title' },
      h('h3', { id: 'secret-title' }, 'Signing secret'),
      h('p', { class: 'hint' }, 'Verify each webhook\'s signature with this secret (Standard Webhooks).'),
      secret,
      h('div', { class: 'actions' },
        act('Reveal secret', async () => { replace(secret, h('code', {}, (await api.get(`${path}/secret`)).key)); }, 'secondary'),
        can.rotateSecret ? act('Rotate secret', async () => {
          if (!confirm('Rotate the signing secret? The old one keeps working for 24 hours.')) return;
          await api.post(`${path}/secret/rotate`, {});
          replace(secret, h('code', {}, (await api.get(`${path}/secret`)).key));
          announce('Secret rotated.', 'success');
        }, 'secondary') : null)) : null,
    can.attempts ? testEventForm(path) : null,
    can.attempts ? recoverForm(path) : null,
    h('h3', {}, 'Delivery attempts'),
    attemptsWithFilter(`/attempt/endpoint/${endpointId}`, endpointId));
}

/** Re-sends what failed (recover) or what was never sent (replay missing) to this endpoint since a date. */
function recoverForm(path) {
  const since = h('input', { id: 'recover-since', type: 'datetime-local', required: true });
  const run = (what, label) => async () => {
    if (!since.reportValidity()) return;
    try {
      await api.post(`${path}/${what}`, { since: new Date(since.value).toISOString() });
      announce(`${label} started; new attempts appear below as they are made.`, 'success');
    } catch (e) { announce(errorText(e), 'error'); }
  };
  return h('div', { class: 'inline', role: 'group', 'aria-label': 'Recover deliveries' },
    field('Since', since),
    h('button', { type: 'button', class: 'secondary', onclick: run('recover', 'Recovery of failed messages') }, 'Recover failed'),
    h('button', { type: 'button', class: 'secondary', onclick: run('replay-missing', 'Replay of missing messages') }, 'Replay missing'));
}

function attemptsWithFilter(listPath, endpointId) {
  const status = h('select', { id: 'attempt-status' },
    h('option', { value: '' }, 'Any status'),
    ['0', '2', '1', '3'].map(v => h('option', { value: v }, statusNames[v])));
  const holder = h('div');
  const show = () => replace(holder, attemptsTable(listPath, endpointId, status.value));
  status.addEventListener('change', show);
  show();
  return h('div', {}, h('div', { class: 'filters' }, field('Status', status)), holder);
}

function testEventForm(path) {
  if (!eventTypeNames.length) return null;
  const select = h('select', { id: 'test-type' }, eventTypeNames.map(n => h('option', { value: n }, n)));
  const form = h('form', { class: 'inline', 'aria-label': 'Send a test event' },
    field('Send a test event of type', select),
    h('button', { type: 'submit', class: 'secondary' }, 'Send example'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api.post(`${path}/send-example`, { eventType: select.value });
      announce(`Example ${select.value} sent.`, 'success');
    } catch (err) {
      announce(errorText(err), 'error');
    }
  });
  return form;
}

function attemptsTable(listPath, endpointId, status) {
  return pagedTable({
    caption: 'Delivery attempts',
    headers: ['When', 'Status', 'HTTP', 'Message', 'Response', ''],
    empty: 'No attempts yet.',
    load: iterator => api.get(`${app}${listPath}${query({ limit: 20, iterator, with_content: true, status })}`),
    row: a => h('tr', {},
      h('td', {}, when(a.timestamp)),
      h('td', {}, statusBadge(a.status)),
      h('td', {}, a.responseStatusCode ? String(a.responseStatusCode) : '—'),
      h('td', {}, h('code', {}, a.msgId)),
      h('td', {}, h('details', {}, h('summary', {}, `${a.responseDurationMs} ms`), h('pre', {}, a.response || a.error || '(empty)'))),
      h('td', {}, can.attempts ? h('button', { type: 'button', class: 'secondary small', onclick: async () => {
        try {
          await api.post(`${app}/msg/${a.msgId}/endpoint/${endpointId ?? a.endpointId}/resend`);
          announce('Resend queued.', 'success');
        } catch (e) { announce(errorText(e), 'error'); }
      } }, 'Resend') : null)),
  });
}

// ---- Event catalog ---------------------------------------------------------------------------------------------

function catalogView() {
  const list = h('div', { class: 'catalog' });
  let next = null;
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  async function load() {
    try {
      const page = await api.get(`/event-type${query({ limit: 50, iterator: next, with_content: true })}`);
      list.append(...page.data.map(t => h('article', { class: 'card' },
        h('h3', {}, h('code', {}, t.name), t.deprecated ? h('span', { class: 'badge' }, 'deprecated') : null),
        h('p', {}, t.description || ''),
        example(t))));
      if (!page.data.length && !next) list.append(h('p', { class: 'empty' }, 'No event types yet.'));
      next = page.iterator;
      more.hidden = page.done;
    } catch (e) {
      announce(errorText(e), 'error');
    }
  }
  more.onclick = load;
  replace(main, h('h2', {}, 'Event catalog'), list, more);
  load();
}

function example(type) {
  const schema = type.schemas?.['1'] ?? (type.schemas && Object.values(type.schemas)[0]);
  if (!schema) return null;
  const sample = schema.examples?.[0];
  return h('details', {}, h('summary', {}, sample ? 'Example payload and schema' : 'Schema'),
    sample ? h('pre', {}, JSON.stringify(sample, null, 2)) : null,
    h('pre', {}, JSON.stringify(schema, null, 2)));
}

// ---- Logs --------------------------------------------------------------------------------------------------------

function logsView() {
  const type = h('select', { id: 'log-type' }, h('option', { value: '' }, 'All event types'), eventTypeNames.map(n => h('option', { value: n }, n)));
  const channel = h('input', { id: 'log-channel' });
  const after = h('input', { id: 'log-after', type: 'datetime-local' });
  const results = h('div');
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter messages' },
    field('Event type', type), field('Channel', channel), field('Since', after),
    h('button', { type: 'submit', class: 'secondary' }, 'Apply'));
  const show = () => replace(results, pagedTable({
    caption: 'Messages',
    headers: ['When', 'Event type', 'Id', 'Channels'],
    empty: 'No messages match.',
    load: iterator => api.get(`${app}/msg${query({
      limit: 20, iterator, with_content: false, event_types: type.value, channel: channel.value,
      after: after.value ? new Date(after.value).toISOString() : null,
    })}`),
    row: m => h('tr', {},
      h('td', {}, when(m.timestamp)),
      h('td', {}, m.eventType),
      h('td', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); messageView(m.id); } }, m.id)),
      h('td', {}, m.channels?.join(', ') || '')),
  }));
  filters.addEventListener('submit', e => { e.preventDefault(); show(); });
  replace(main, h('h2', {}, 'Logs'), filters, results);
  show();
}

async function messageView(msgId) {
  try {
    const m = await api.get(`${app}/msg/${msgId}`);
    replace(main,
      h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); logsView(); } }, '← All messages')),
      h('h2', {}, m.eventType, ' ', h('code', {}, m.id)),
      h('p', {}, when(m.timestamp)),
      h('h3', {}, 'Payload'), h('pre', {}, JSON.stringify(m.payload, null, 2)),
      h('h3', {}, 'Delivery attempts'),
      attemptsTable(`/attempt/msg/${msgId}`, null));
  } catch (e) {
    announce(errorText(e), 'error');
  }
}
