// graphql-request and graphql-js against Herald's /graphql: introspection, client-side validation, queries, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { ClientError, gql } from 'graphql-request';
import { client, rest, unique } from './helpers.mjs';

const applicationQuery = gql`
  query Application($appId: ID!, $first: Int) {
    application(id: $appId) {
      id
      name
      endpoints(first: $first) { edges { cursor node { id url } } pageInfo { hasNextPage endCursor } }
      messages(eventTypes: ["compat.created"]) { edges { node { id eventType payload sequence } } }
    }
  }
`;

async function seed() {
  const uid = unique('gql');
  const app = await rest('POST', '/app', { name: 'GraphQL compat', uid });
  await rest('POST', '/event-type', { name: 'compat.created', description: 'compat' }).catch(() => {});
  const endpoints = [];
  for (let i = 0; i < 3; i++) endpoints.push(await rest('POST', `/app/${app.id}/endpoint`, { url: `https://example.com/hook/${i}` }));
  const message = await rest('POST', `/app/${app.id}/msg`, { eventType: 'compat.created', payload: { n: 1 } });
  return { app, endpoints, message };
}

test('the introspected schema validates the suite query, which then runs', async () => {
  const introspection = await client().request(getIntrospectionQuery());
  const schema = buildClientSchema(introspection);
  assert.deepEqual(validate(schema, parse(applicationQuery)), []);

  const { app, endpoints, message } = await seed();
  const data = await client().request(applicationQuery, { appId: app.id, first: 2 });
  assert.equal(data.application.name, 'GraphQL compat');
  assert.deepEqual(data.application.endpoints.edges.map((e) => e.node.id), endpoints.slice(0, 2).map((e) => e.id));
  assert.equal(data.application.endpoints.pageInfo.hasNextPage, true);
  assert.equal(data.application.messages.edges[0].node.id, message.id);
  assert.deepEqual(JSON.parse(data.application.messages.edges[0].node.payload), { n: 1 });

  const next = await client().request(applicationQuery, { appId: app.id, first: 2, after: undefined });
  assert.equal(next.application.id, app.id);
});

test('cursors from one page continue the list on the next', async () => {
  const { app, endpoints } = await seed();
  const page = gql`query($appId: ID!, $after: String) { application(id: $appId) { endpoints(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
  const first = await client().request(page, { appId: app.id });
  const second = await client().request(page, { appId: app.id, after: first.application.endpoints.pageInfo.endCursor });
  assert.deepEqual(second.application.endpoints.edges.map((e) => e.node.id), [endpoints[2].id]);
  assert.equal(second.application.endpoints.pageInfo.hasNextPage, false);
});

test('a bad argument is a GraphQL error with extensions.code', async () => {
  const { app } = await seed();
  await assert.rejects(
    client().request(gql`query($appId: ID!) { application(id: $appId) { endpoints(first: 0) { edges { cursor } } } }`, { appId: app.id }),
    (error) => error instanceof ClientError && error.response.errors[0].extensions.code === 'VALIDATION_ERROR',
  );
});

test('a mutation with an Idempotency-Key runs once; the repeat is replayed', async () => {
  const { app, endpoints, message } = await seed();
  const resend = gql`mutation($appId: ID!, $messageId: ID!, $endpointId: ID!) { resendMessage(appId: $appId, messageId: $messageId, endpointId: $endpointId) }`;
  const variables = { appId: app.id, messageId: message.id, endpointId: endpoints[0].id };
  const key = unique('resend');
  const first = await client({ 'idempotency-key': key }).rawRequest(resend, variables);
  const again = await client({ 'idempotency-key': key }).rawRequest(resend, variables);
  assert.equal(first.data.resendMessage, true);
  assert.deepEqual(again.data, first.data);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
});
