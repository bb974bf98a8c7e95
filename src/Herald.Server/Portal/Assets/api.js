// Herald's public REST API, called with the page's token (an app-portal token or an admin API key). No other
// authorization exists: what the API refuses, the page cannot do either.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export function createApi(token) {
  async function call(method, path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
    });
    if (response.status === 204) return null;
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = Array.isArray(json?.detail)
        ? json.detail.map(d => `${(d.loc || []).join('.')}: ${d.msg}`).join('; ')
        : json?.detail;
      throw new ApiError(response.status, json?.code, detail);
    }
    return json;
  }
  return {
    get: path => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    del: path => call('DELETE', path),
  };
}

/** A query string from an object, leaving out empty values: query({limit: 20, iterator: null}) → "?limit=20". */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    q.append(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
