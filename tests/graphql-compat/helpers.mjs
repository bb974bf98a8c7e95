// Shared by the suite: where Herald runs (HERALD_URL, HERALD_TOKEN, set by GraphQLCompatibilityTests) and REST set-up.
import { GraphQLClient } from 'graphql-request';

export const baseUrl = process.env.HERALD_URL ?? 'http://localhost:8071';
export const token = process.env.HERALD_TOKEN ?? '';

export function client(headers = {}) {
  return new GraphQLClient(`${baseUrl}/graphql`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

export async function rest(method, path, body) {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
