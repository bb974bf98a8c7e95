// Small DOM helpers. Text from the API always goes in as text nodes (never innerHTML), so nothing it holds runs.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Announces a result to sighted users and screen readers alike (the element is an aria-live region). */
export function announce(message, kind = 'info') {
  const status = document.getElementById('status');
  if (!status) return;
  status.className = `status status-${kind}`;
  status.textContent = message;
}

export function errorText(e) {
  return e?.code ? `${e.message} (${e.code})` : (e?.message || String(e));
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString());
}

/** A labelled form field; `input` is an <input>, <select> or <textarea> element whose id ties it to the label. */
export function field(label, input, hint) {
  const hintId = hint ? `${input.id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    hint ? h('small', { id: hintId, class: 'hint' }, hint) : null);
}

/**
 * A paged table: `load(iterator)` returns a Svix list ({data, iterator, prevIterator, done}); `row(item)` a <tr>.
 * Only one page is ever held, so lists of any length stay fast.
 */
export function pagedTable({ caption, headers, load, row, empty = 'Nothing here yet.' }) {
  const body = h('tbody');
  const prev = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Next');
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => show(current) }, 'Refresh');
  const root = h('div', { class: 'paged' },
    h('table', {}, h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))), body),
    h('nav', { class: 'pager', 'aria-label': `${caption} pages` }, prev, next, refresh));
  let current = null;
  async function show(iterator) {
    current = iterator;
    try {
      const page = await load(iterator);
      replace(body, page.data.length
        ? page.data.map(row)
        : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty)));
      prev.disabled = !page.prevIterator || !iterator;
      next.disabled = page.done || !page.iterator;
      prev.onclick = () => show(page.prevIterator);
      next.onclick = () => show(page.iterator);
    } catch (e) {
      replace(body, h('tr', {}, h('td', { colspan: headers.length, class: 'error' }, errorText(e))));
    }
  }
  root.reload = () => show(current);
  show(null);
  return root;
}

export const statusNames = { 0: 'success', 1: 'pending', 2: 'failed', 3: 'sending', 4: 'canceled' };

export function statusBadge(status) {
  const name = statusNames[status] ?? String(status);
  return h('span', { class: `badge badge-${name}` }, name);
}
