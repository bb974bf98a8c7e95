// The app portal: one application's endpoints, event catalog and logs, for the platform's customer. Its only key is
// the app-portal token in the URL fragment (#token=…, as POST /api/v1/auth/app-portal-access returns it), kept in
// memory for the page's life and removed from the address bar at once, so it stays out of history and shared links.
import { createApi, query } from './api.js';
import { h, replace, announce, errorText, when, field, pagedTable, statusBadge, statusNames } from './ui.js';
import { applyTheme, reportHeightToParent } from './theme.js';
import { stackedBars, line, tick, percentile } from './charts.js';

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
/** Ends the live tail of a polling endpoint, if one runs (set by tail()). */
let stopTail = null;

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
      transform: caps.has('ManageTransformations'),
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
  const views = { Endpoints: endpointsView, 'Polling endpoints': pollersView, 'Event catalog': catalogView, Logs: () => logsView() };
  replace(nav, Object.entries(views).map(([name, view]) =>
    h('button', { type: 'button', class: 'tab', onclick: e => select(e.currentTarget, view) }, name)));
  select(nav.firstChild, endpointsView);
}

function select(button, view) {
  stopTail?.();
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

async function endpointForm(existing) {
  const id = s => `ep-${s}`;
  // An existing endpoint's headers: values of ordinary ones are shown to edit; credentials (Authorization, tokens …)
  // the API lists by name only, so they are kept unless their box is checked.
  let current = { headers: {}, sensitive: [] };
  if (existing) {
    try { current = await api.get(`${app}/endpoint/${existing.id}/headers`); } catch (e) { announce(errorText(e), 'error'); }
  }
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
  headers.value = Object.entries(current.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  // FIFO endpoints (docs/DELIVERY.md): one choice for fifo + fifoOnExhaustion.
  const order = h('select', { id: id('order') },
    h('option', { value: '' }, 'Any order (fastest)'),
    h('option', { value: 'stop' }, 'Strict order; a message that fails for good stops the line'),
    h('option', { value: 'skip' }, 'Strict order; a message that fails for good is skipped'));
  order.value = existing?.fifo ? (existing.fifoOnExhaustion || 'stop') : '';
  // Ownership verification: asked only when it changes, so an edit does not restart a verified endpoint's check.
  const verification = h('select', { id: id('verification') },
    h('option', { value: '' }, existing ? 'Keep as it is' : 'The server\'s default'),
    h('option', { value: 'none' }, 'None'),
    h('option', { value: 'handshake' }, 'Handshake (CloudEvents OPTIONS request)'),
    h('option', { value: 'ping' }, 'Signed ping the receiver echoes'));
  const sensitive = current.sensitive?.length
    ? h('fieldset', { class: 'checks' }, h('legend', {}, 'Secret headers (sent, never shown)'),
      current.sensitive.map((name, i) => h('label', { for: id(`drop-${i}`) },
        h('input', { id: id(`drop-${i}`), type: 'checkbox', value: name }), ` Remove ${name}`)))
    : null;
  const form = h('form', { class: 'card', 'aria-labelledby': id('title') },
    h('h2', { id: id('title') }, existing ? 'Edit endpoint' : 'Add endpoint'),
    field('Endpoint URL', url),
    field('Description', description),
    types,
    field('Channels', channels, 'Comma-separated; empty: every channel.'),
    field('Rate limit (messages per second)', rateLimit, 'Empty: no limit.'),
    field('Timeout (seconds)', timeout, 'Empty: the server default.'),
    field('Custom headers', headers, 'One "Name: value" per line, sent with every delivery.'),
    sensitive,
    field('Delivery order', order, 'Strict order sends one message at a time, each after the one before succeeded or gave up.'),
    field('Ownership check', verification, 'Before the first webhook, the receiver proves it wants them; messages wait until it does.'),
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
    if (order.value) { body.fifo = true; body.fifoOnExhaustion = order.value; } else if (existing?.fifo) body.fifo = false;
    if (verification.value) body.verificationMethod = verification.value;
    if (!body.filterTypes.length) body.filterTypes = null;
    if (!body.channels.length) body.channels = null;
    const extra = Object.fromEntries(headers.value.split('\n').map(l => l.split(':')).filter(p => p.length > 1 && p[0].trim())
      .map(([k, ...v]) => [k.trim(), v.join(':').trim()]));
    try {
      let saved;
      if (existing) {
        saved = await api.patch(`${app}/endpoint/${existing.id}`, body);
        const lower = new Set(Object.keys(extra).map(k => k.toLowerCase()));
        const removed = [
          ...Object.keys(current.headers || {}).filter(k => !lower.has(k.toLowerCase())),
          ...(sensitive ? [...sensitive.querySelectorAll('input:checked')].map(x => x.value) : []),
        ];
        const changed = Object.entries(extra).some(([k, v]) => current.headers?.[k] !== v);
        if (changed || removed.length) {
          await api.patch(`${app}/endpoint/${existing.id}/headers`, { headers: extra, deleteHeaders: removed.length ? removed : undefined });
        }
      } else {
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
  const headerNames = h('dd', {}, '…');
  api.get(`${path}/headers`).then(x => replace(headerNames,
    [...Object.keys(x.headers || {}), ...(x.sensitive || []).map(n => `${n} (secret)`)].join(', ') || 'none')).catch(() => replace(headerNames, '—'));
  const chart = h('section', { class: 'charts', 'aria-labelledby': 'chart-title' }, h('h3', { id: 'chart-title' }, 'Last 24 hours'));
  endpointCharts(endpointId, chart);
  const stats = h('div', { class: 'stats', role: 'group', 'aria-label': 'Delivery counts' });
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
      h('dt', {}, 'Timeout'), h('dd', {}, ep.timeoutSeconds ? `${ep.timeoutSeconds} s` : 'server default'),
      h('dt', {}, 'Custom headers'), headerNames,
      h('dt', {}, 'Delivery order'), h('dd', {}, !ep.fifo ? 'any'
        : ep.fifoStoppedAt ? h('span', { class: 'badge badge-failed' }, `strict — stopped ${when(ep.fifoStoppedAt)}`)
          : `strict (${ep.fifoOnExhaustion === 'skip' ? 'skips' : 'stops on'} a message that fails for good)`),
      h('dt', {}, 'Ownership check'), h('dd', { id: 'verification-state' }, !ep.verification ? 'none'
        : `${ep.verification.status} (${ep.verification.method})${ep.verification.lastError ? ` — ${ep.verification.lastError}` : ''}`),
      h('dt', {}, 'Created'), h('dd', {}, when(ep.createdAt))),
    stats,
    chart,
    h('div', { class: 'actions' },
      can.manage ? act('Edit', () => endpointForm(ep)) : null,
      can.manage ? act(ep.disabled ? 'Enable' : 'Disable', async () => {
        await api.patch(path, { disabled: !ep.disabled });
        announce(ep.disabled ? 'Endpoint enabled.' : 'Endpoint disabled.', 'success');
        endpointView(endpointId);
      }, 'secondary') : null,
      can.manage && ep.fifoStoppedAt ? act('Resume line', async () => {
        await api.post(`${path}/fifo/resume`, {});
        announce('Line resumed: the next message goes out.', 'success');
        endpointView(endpointId);
      }, 'secondary') : null,
      can.manage && ep.verification && ep.verification.status !== 'verified' ? act('Check ownership again', async () => {
        const checked = await api.post(`${path}/verify`, {});
        announce(`Ownership check: ${checked.verification?.status ?? 'none'}.`, 'success');
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
    can.transform ? transformationForm(path) : null,
    h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); logsView({ endpoint: endpointId }); } }, 'Messages of this endpoint in the logs')),
    h('h3', {}, 'Delivery attempts'),
    attemptsWithFilter(`/attempt/endpoint/${endpointId}`, endpointId));
}

/**
 * The endpoint's success rate and latency per hour over the last 24 hours. The API's time series
 * (/stats/app/{app}/attempt) is per application and for admins, so the page counts the endpoint's own attempts of the
 * window (GET /attempt/endpoint/{id}?after=…, up to 1,000 of them — enough to draw a rate and a median).
 */
async function endpointCharts(endpointId, into) {
  const hour = 3600000, hours = 24;
  const end = Math.ceil(Date.now() / hour) * hour, start = end - hours * hour;
  const attempts = [];
  try {
    let iterator = null;
    for (let i = 0; i < 4; i++) {
      const page = await api.get(`${app}/attempt/endpoint/${encodeURIComponent(endpointId)}${query({
        limit: 250, iterator, with_content: false, after: new Date(start).toISOString() })}`);
      attempts.push(...page.data);
      if (page.done || !page.iterator) break;
      iterator = page.iterator;
    }
  } catch (e) {
    into.append(h('p', { class: 'error' }, errorText(e)));
    return;
  }
  const ok = Array(hours).fill(0), bad = Array(hours).fill(0), durations = Array.from({ length: hours }, () => []);
  for (const a of attempts) {
    const i = Math.floor((Date.parse(a.timestamp) - start) / hour);
    if (i < 0 || i >= hours || a.status === 1 || a.status === 3) continue;
    (a.status === 2 ? bad : ok)[i]++;
    durations[i].push(a.responseDurationMs);
  }
  const done = ok.reduce((x, y) => x + y, 0) + bad.reduce((x, y) => x + y, 0);
  const all = durations.flat().sort((x, y) => x - y);
  const medians = durations.map(d => percentile(d.sort((x, y) => x - y), 0.5));
  const rate = done ? Math.round((100 * ok.reduce((x, y) => x + y, 0)) / done) : null;
  const from = tick(start, true), to = tick(end, true);
  into.append(
    h('p', { class: 'chart-summary' }, done
      ? `${done} attempt${done === 1 ? '' : 's'}, ${rate}% succeeded, median ${percentile(all, 0.5)} ms, p95 ${percentile(all, 0.95)} ms`
      : 'No attempts in the last 24 hours.',
    attempts.length >= 1000 ? ' (from the latest 1,000 attempts)' : ''),
    h('div', { class: 'chart-row' },
      stackedBars({ title: 'Attempts per hour', ok, bad, start: from, end: to, summary: done ? `${rate}% succeeded` : 'none' }),
      line({ title: 'Median latency per hour', values: medians, unit: ' ms', start: from, end: to,
        summary: all.length ? `median ${percentile(all, 0.5)} ms` : 'no data' })));
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

/**
 * The endpoint's transformation (docs/DELIVERY.md, "Transformations"): its JavaScript, on or off, and a dry run on a
 * payload through POST …/transformation/simulate, which sends nothing.
 */
function transformationForm(path) {
  const code = h('textarea', { id: 'transformation-code', rows: 8, spellcheck: 'false', class: 'code',
    placeholder: 'function handler(webhook) {\n  webhook.payload = { data: webhook.payload };\n  return webhook;\n}' });
  const enabled = h('input', { type: 'checkbox', id: 'transformation-enabled' });
  const type = h('input', { id: 'transformation-type', value: eventTypeNames[0] || 'test.event', list: 'transformation-types' });
  const types = h('datalist', { id: 'transformation-types' }, eventTypeNames.map(n => h('option', { value: n })));
  const payload = h('textarea', { id: 'transformation-payload', rows: 3, spellcheck: 'false', class: 'code' });
  payload.value = '{"example": true}';
  // A live region, not <output> (whose implicit role is status): the page keeps one status message, #status.
  const result = h('div', { id: 'transformation-result', 'aria-live': 'polite' });
  const state = h('span', { class: 'hint' });
  api.get(`${path}/transformation`).then(t => {
    code.value = t.code || '';
    enabled.checked = t.enabled;
    state.textContent = t.updatedAt ? `Last changed ${when(t.updatedAt)}.` : 'No transformation yet.';
  }).catch(e => announce(errorText(e), 'error'));
  const save = h('form', { 'aria-labelledby': 'transformation-title' },
    field('Code', code, 'Defines function handler(webhook); it may change webhook.url, method, headers and payload, or set cancel = true.'),
    h('label', { class: 'check' }, enabled, ' Run it before every delivery'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save transformation'), state));
  save.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api.patch(`${path}/transformation`, { code: code.value.trim() ? code.value : null, enabled: enabled.checked });
      state.textContent = 'Saved.';
      announce(enabled.checked ? 'Transformation saved and on.' : 'Transformation saved, off.', 'success');
    } catch (err) {
      announce(errorText(err), 'error');
    }
  });
  const trial = h('form', { 'aria-label': 'Try the transformation' },
    field('Event type', type), types,
    field('Payload', payload, 'A JSON object; nothing is sent.'),
    h('button', { type: 'submit', class: 'secondary' }, 'Try it'));
  trial.addEventListener('submit', async e => {
    e.preventDefault();
    let body;
    try { body = JSON.parse(payload.value); } catch { return announce('The payload is not valid JSON.', 'error'); }
    try {
      const out = await api.post(`${path}/transformation/simulate`, { code: code.value, eventType: type.value, payload: body });
      replace(result, out.cancel ? h('p', {}, 'Canceled: nothing would be sent.')
        : h('pre', {}, `${out.method} ${out.url}\n${Object.entries(out.headers || {}).map(([k, v]) => `${k}: ${v}\n`).join('')}\n${out.payload}`));
    } catch (err) {
      replace(result, h('p', { class: 'error' }, errorText(err)));
    }
  });
  return h('section', { 'aria-labelledby': 'transformation-title' },
    h('h3', { id: 'transformation-title' }, 'Transformation'), save, trial, result);
}

function attemptsTable(listPath, endpointId, status) {
  return pagedTable({
    caption: 'Delivery attempts',
    headers: ['When', 'Status', 'HTTP', 'Message', 'Response', ''],
    empty: 'No attempts yet.',
    load: iterator => api.get(`${app}${listPath}${query({ limit: 20, iterator, with_content: true, status })}`),
    row: a => h('tr', {},
      h('td', {}, h('a', { href: '#', title: 'Request and response', onclick: e => { e.preventDefault(); attemptView(a.msgId, a.id, endpointId ? () => endpointView(endpointId) : null); } }, when(a.timestamp))),
      h('td', {}, statusBadge(a.status)),
      h('td', {}, a.responseStatusCode ? String(a.responseStatusCode) : '—'),
      h('td', {}, h('code', {}, a.msgId)),
      h('td', {}, h('details', {}, h('summary', {}, `${a.responseDurationMs} ms`), h('pre', {}, a.response || a.error || '(empty)'))),
      h('td', {}, can.attempts ? resendButton(a.msgId, endpointId ?? a.endpointId, 'Resend') : null)),
  });
}

// ---- Polling endpoints -------------------------------------------------------------------------------------------

function pollersView() {
  const table = pagedTable({
    caption: 'Polling endpoints',
    headers: ['Uid', 'Id', 'Event types', 'State'],
    empty: 'No polling endpoints yet.',
    load: iterator => api.get(`${app}/destination${query({ limit: 20, iterator })}`),
    row: d => h('tr', {},
      h('td', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); pollerView(d.id); } }, d.uid || d.id)),
      h('td', {}, h('code', {}, d.id)),
      h('td', {}, d.eventTypes?.join(', ') || 'all'),
      h('td', {}, d.status === 'disabled' ? h('span', { class: 'badge badge-failed' }, 'disabled') : h('span', { class: 'badge badge-success' }, 'enabled'))),
  });
  replace(main,
    h('div', { class: 'toolbar' }, h('h2', {}, 'Polling endpoints'),
      can.manage ? h('button', { type: 'button', onclick: pollerForm }, 'Add polling endpoint') : null),
    h('p', { class: 'hint' }, 'Instead of receiving webhooks, your service fetches the events when it wants them: no public URL needed.'),
    table);
}

function pollerForm() {
  const uid = h('input', { id: 'poller-uid', required: true, pattern: '[a-zA-Z0-9\\-_.]{1,256}', value: 'my-service' });
  const types = h('fieldset', { class: 'checks' }, h('legend', {}, 'Event types (none checked: all of them)'),
    eventTypeNames.map((name, i) => h('label', { for: `poller-type-${i}` },
      h('input', { id: `poller-type-${i}`, type: 'checkbox', value: name }), ` ${name}`)));
  const channels = h('input', { id: 'poller-channels' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'poller-title' },
    h('h2', { id: 'poller-title' }, 'Add polling endpoint'),
    field('Name (uid)', uid, 'Letters, digits, - _ and .; the herald CLI and your code refer to it by this name.'),
    types,
    field('Channels', channels, 'Comma-separated; empty: every channel.'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Create polling endpoint'),
      h('button', { type: 'button', class: 'secondary', onclick: pollersView }, 'Cancel')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const picked = [...types.querySelectorAll('input:checked')].map(x => x.value);
    const list = channels.value.split(',').map(x => x.trim()).filter(Boolean);
    try {
      const created = await api.post(`${app}/destination`, {
        type: 'pollingEndpoint', uid: uid.value.trim(), eventTypes: picked.length ? picked : undefined, channels: list.length ? list : undefined,
      });
      announce('Polling endpoint created.', 'success');
      pollerView(created.id);
    } catch (err) { announce(errorText(err), 'error'); }
  });
  replace(main, form);
  uid.focus();
}

async function pollerView(id) {
  let d;
  try {
    d = await api.get(`${app}/destination/${encodeURIComponent(id)}`);
  } catch (e) {
    announce(errorText(e), 'error');
    return pollersView();
  }
  const name = d.uid || d.id;
  const url = `${location.origin}/api/v1${app}/poller/${encodeURIComponent(d.id)}`;
  const tokenNote = h('p', { class: 'hint', id: 'poller-token-hint' },
    'Every request sends ', h('code', {}, 'Authorization: Bearer $HERALD_TOKEN'),
    ': an API key for this application from the service that gave you this portal. This portal\'s own token works too, until the link expires.');
  const tokenBox = h('div', { class: 'secret' });
  const snippet = (label, text) => h('div', { class: 'snippet' }, h('h4', {}, label), h('pre', { tabindex: '0' }, text));
  replace(main,
    h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); pollersView(); } }, '← All polling endpoints')),
    h('div', { class: 'toolbar' }, h('h2', {}, name),
      d.status === 'disabled' ? h('span', { class: 'badge badge-failed' }, 'disabled') : h('span', { class: 'badge badge-success' }, 'enabled')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, d.id)),
      h('dt', {}, 'Event types'), h('dd', {}, d.eventTypes?.join(', ') || 'all'),
      h('dt', {}, 'Channels'), h('dd', {}, d.channels?.join(', ') || 'all'),
      h('dt', {}, 'Created'), h('dd', {}, when(d.createdAt))),
    h('section', { 'aria-labelledby': 'consume-title' },
      h('h3', { id: 'consume-title' }, 'How to consume it'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'URL'), h('dd', {}, h('code', { id: 'poller-url' }, url)),
        h('dt', {}, 'Token'), h('dd', {}, tokenNote, tokenBox,
          h('button', { type: 'button', class: 'secondary small', onclick: () => replace(tokenBox, h('code', {}, token)) }, 'Show this portal\'s token'))),
      snippet('Fetch the events (the answer\'s iterator is where the next call continues)',
        `curl -s -H "Authorization: Bearer $HERALD_TOKEN" "${url}?limit=100"\n` +
        `curl -s -H "Authorization: Bearer $HERALD_TOKEN" "${url}?iterator=ITERATOR&wait=30s"   # waits up to 30 s for new ones`),
      snippet('Or stream them as Server-Sent Events',
        `curl -N -H "Authorization: Bearer $HERALD_TOKEN" "${url}/stream"`),
      snippet('Or forward them to a local URL with the herald CLI, signed like webhooks, resuming where it stopped',
        `export HERALD_URL=${location.origin} HERALD_TOKEN=…\n` +
        `herald listen --app ${appId} --name ${name} --forward-to http://localhost:3000/webhooks`)),
    tail(d),
    can.manage ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete the polling endpoint ${name}? Its consumers' positions go with it; the messages stay.`)) return;
        try {
          await api.del(`${app}/destination/${encodeURIComponent(d.id)}`);
          announce('Polling endpoint deleted.', 'success');
          pollersView();
        } catch (e) { announce(errorText(e), 'error'); }
      } }, 'Delete polling endpoint')) : null);
}

/**
 * The live tail: new events as they commit, over the polling endpoint's Server-Sent-Events stream. EventSource cannot
 * send an Authorization header and the stream takes its token only there (never in the URL, where logs would keep
 * it), so the page reads the stream with fetch() and parses the events itself.
 */
function tail(d) {
  const log = h('ol', { class: 'tail', role: 'log', 'aria-live': 'polite', 'aria-label': 'New events' });
  const state = h('span', { class: 'hint', id: 'tail-state' }, 'Stopped.');
  const toggle = h('button', { type: 'button', class: 'secondary' }, 'Start live tail');
  let controller = null;
  // Any other view replacing this one ends the stream at once (not at the next event or keep-alive).
  const watch = new MutationObserver(() => { if (!log.isConnected) stop(); });
  const stop = () => {
    watch.disconnect();
    controller?.abort();
    controller = null;
    stopTail = null;
    toggle.textContent = 'Start live tail';
    state.textContent = 'Stopped.';
  };
  const add = (iterator, data) => {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    log.prepend(h('li', {}, h('details', {},
      h('summary', {}, when(m.timestamp), ' ', h('strong', {}, m.eventType), ' ', h('code', {}, m.id)),
      h('pre', {}, JSON.stringify(m.payload, null, 2)))));
    while (log.children.length > 100) log.lastChild.remove();
  };
  async function run() {
    stopTail?.();
    controller = new AbortController();
    stopTail = stop;
    watch.observe(main, { childList: true });
    toggle.textContent = 'Stop live tail';
    state.textContent = 'Connecting…';
    const signal = controller.signal;
    let lastId = null;
    const since = new Date().toISOString();
    while (!signal.aborted) {
      try {
        const headers = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const response = await fetch(`/api/v1${app}/poller/${encodeURIComponent(d.id)}/stream${lastId ? '' : query({ after: since })}`,
          { headers, signal, cache: 'no-store' });
        if (!response.ok) {
          const body = await response.json().catch(() => ({}));
          stop();
          state.textContent = `The stream was refused: ${body.detail || response.status}.`;
          return;
        }
        state.textContent = 'Live: new events appear here as they are published.';
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id = null, data = [];
            for (const row of block.split('\n')) {
              if (row.startsWith(':')) continue;
              const colon = row.indexOf(':');
              const key = colon < 0 ? row : row.slice(0, colon);
              const val = colon < 0 ? '' : row.slice(colon + 1).replace(/^ /, '');
              if (key === 'id') id = val;
              else if (key === 'data') data.push(val);
            }
            if (data.length) { lastId = id ?? lastId; add(id, data.join('\n')); }
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        state.textContent = `Reconnecting… (${errorText(e)})`;
      }
      // The stream ended (a restart, a proxy's timeout): continue after the last event seen, as EventSource would.
      await new Promise(r => setTimeout(r, 2000));
    }
  }
  toggle.addEventListener('click', () => controller ? stop() : run());
  return h('section', { 'aria-labelledby': 'tail-title' },
    h('h3', { id: 'tail-title' }, 'Live tail'),
    h('div', { class: 'inline' }, toggle, state),
    log);
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

/** The application's endpoints for a <select> (the first 250: more than a portal's reader picks from a list). */
async function endpointChoices() {
  try {
    return (await api.get(`${app}/endpoint?limit=250`)).data;
  } catch {
    return [];
  }
}

/**
 * Messages with filters. Without an endpoint it lists the application's messages (GET /msg); with one, the messages
 * routed to it with their delivery status there (GET /endpoint/{id}/msg), which is where a status filter means
 * something: a message has a status per endpoint, not one of its own.
 */
async function logsView(preset = {}) {
  const endpoints = await endpointChoices();
  const endpoint = h('select', { id: 'log-endpoint' }, h('option', { value: '' }, 'All endpoints'),
    endpoints.map(ep => h('option', { value: ep.id, selected: ep.id === preset.endpoint }, ep.url)));
  const status = h('select', { id: 'log-status', 'aria-describedby': 'log-status-hint' },
    h('option', { value: '' }, 'Any status'),
    ['0', '2', '1', '3'].map(v => h('option', { value: v }, statusNames[v])));
  const type = h('select', { id: 'log-type' }, h('option', { value: '' }, 'All event types'), eventTypeNames.map(n => h('option', { value: n }, n)));
  const channel = h('input', { id: 'log-channel' });
  const after = h('input', { id: 'log-after', type: 'datetime-local' });
  const before = h('input', { id: 'log-before', type: 'datetime-local' });
  const statusHint = h('small', { id: 'log-status-hint', class: 'hint' }, 'Delivery status is per endpoint: choose an endpoint first.');
  const syncStatus = () => {
    status.disabled = !endpoint.value;
    if (status.disabled) status.value = '';
    statusHint.hidden = !status.disabled;
  };
  endpoint.addEventListener('change', syncStatus);
  syncStatus();
  const results = h('div');
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter messages' },
    field('Endpoint', endpoint),
    h('div', { class: 'field' }, h('label', { for: status.id }, 'Status'), status, statusHint),
    field('Event type', type), field('Channel', channel), field('Since', after), field('Until', before),
    h('button', { type: 'submit', class: 'secondary' }, 'Apply'));
  const iso = input => input.value ? new Date(input.value).toISOString() : null;
  const show = () => {
    const ep = endpoint.value;
    const filter = { event_types: type.value, channel: channel.value.trim(), after: iso(after), before: iso(before) };
    replace(results, pagedTable({
      caption: 'Messages',
      headers: ep ? ['When', 'Event type', 'Id', 'Channels', 'Status'] : ['When', 'Event type', 'Id', 'Channels'],
      empty: 'No messages match.',
      load: iterator => ep
        ? api.get(`${app}/endpoint/${encodeURIComponent(ep)}/msg${query({ limit: 20, iterator, with_content: false, status: status.value, ...filter })}`)
        : api.get(`${app}/msg${query({ limit: 20, iterator, with_content: false, ...filter })}`),
      row: m => h('tr', {},
        h('td', {}, when(m.timestamp)),
        h('td', {}, m.eventType),
        h('td', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); messageView(m.id); } }, m.id)),
        h('td', {}, m.channels?.join(', ') || ''),
        ep ? h('td', {}, statusBadge(m.status)) : null),
    }));
  };
  filters.addEventListener('submit', e => { e.preventDefault(); show(); });
  replace(main, h('h2', {}, 'Logs'), filters, results);
  show();
}

async function messageView(msgId) {
  try {
    const path = `${app}/msg/${encodeURIComponent(msgId)}`;
    const m = await api.get(path);
    const destinations = pagedTable({
      caption: 'Endpoints of this message',
      headers: ['Endpoint', 'Status', 'Next attempt', ''],
      empty: 'No endpoint took this message.',
      load: iterator => api.get(`${path}/endpoint${query({ limit: 20, iterator })}`),
      row: d => h('tr', {},
        h('td', {}, d.url),
        h('td', {}, statusBadge(d.status)),
        h('td', {}, d.nextAttempt ? when(d.nextAttempt) : '—'),
        h('td', {}, can.attempts ? resendButton(m.id, d.id, `Resend to ${d.url}`) : null)),
    });
    replace(main,
      h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); logsView(); } }, '← All messages')),
      h('h2', {}, m.eventType, ' ', h('code', {}, m.id)),
      h('p', {}, when(m.timestamp), m.channels?.length ? ` · channels: ${m.channels.join(', ')}` : ''),
      h('h3', {}, 'Payload'), h('pre', {}, m.payload === null || m.payload === undefined ? '(expunged)' : JSON.stringify(m.payload, null, 2)),
      h('h3', {}, 'Endpoints'), destinations,
      h('h3', {}, 'Delivery attempts'),
      attemptsTable(`/attempt/msg/${encodeURIComponent(msgId)}`, null));
  } catch (e) {
    announce(errorText(e), 'error');
  }
}

function resendButton(msgId, endpointId, label) {
  return h('button', { type: 'button', class: 'secondary small', 'aria-label': label, onclick: async () => {
    try {
      await api.post(`${app}/msg/${encodeURIComponent(msgId)}/endpoint/${encodeURIComponent(endpointId)}/resend`);
      announce('Resend queued.', 'success');
    } catch (e) { announce(errorText(e), 'error'); }
  } }, 'Resend');
}

/** One attempt: what Herald sent (the message's payload, POSTed to the URL) and what the receiver answered. */
async function attemptView(msgId, attemptId, back) {
  try {
    const [a, m] = await Promise.all([
      api.get(`${app}/msg/${encodeURIComponent(msgId)}/attempt/${encodeURIComponent(attemptId)}`),
      api.get(`${app}/msg/${encodeURIComponent(msgId)}`),
    ]);
    replace(main,
      h('p', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); back ? back() : messageView(msgId); } }, '← Back')),
      h('div', { class: 'toolbar' }, h('h2', {}, 'Attempt ', h('code', {}, a.id)), statusBadge(a.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'When'), h('dd', {}, when(a.timestamp)),
        h('dt', {}, 'Message'), h('dd', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); messageView(msgId); } }, m.id), ` (${m.eventType})`),
        h('dt', {}, 'Trigger'), h('dd', {}, a.triggerType === 1 ? 'manual (resend or replay)' : 'scheduled'),
        h('dt', {}, 'Duration'), h('dd', {}, `${a.responseDurationMs} ms`)),
      h('section', { 'aria-labelledby': 'request-title' },
        h('h3', { id: 'request-title' }, 'Request'),
        h('p', {}, h('code', {}, `POST ${a.url}`)),
        h('p', { class: 'hint' }, 'Signed with webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks) and the endpoint\'s custom headers.'),
        h('h4', {}, 'Body'), h('pre', { id: 'attempt-request' }, m.payload === null || m.payload === undefined ? '(expunged)' : JSON.stringify(m.payload, null, 2))),
      h('section', { 'aria-labelledby': 'response-title' },
        h('h3', { id: 'response-title' }, 'Response'),
        h('p', {}, a.responseStatusCode ? `HTTP ${a.responseStatusCode}` : `No HTTP response${a.error ? `: ${a.error}` : ''}`),
        h('pre', { id: 'attempt-response' }, a.response || '(empty)')),
      can.attempts ? h('div', { class: 'actions' }, resendButton(msgId, a.endpointId, 'Resend')) : null);
  } catch (e) {
    announce(errorText(e), 'error');
  }
}
