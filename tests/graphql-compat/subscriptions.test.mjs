// graphql-sse and graphql-ws (with the ws package as its WebSocket) against Herald's subscriptions: a live message, a
// stream resumed from a message sequence, an attempt outcome, and a refused token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { baseUrl, client, rest, token, unique } from './helpers.mjs';

const messagesSubscription = `
  subscription Messages($appId: ID!, $after: Long, $types: [String!]) {
    messageCreated(appId: $appId, after: $after, eventTypes: $types) { id eventType sequence }
  }
`;

async function newApp() {
  const app = await rest('POST', '/app', { name: 'GraphQL subscriptions', uid: unique('subs') });
  await rest('POST', '/event-type', { name: 'compat.created', description: 'compat' }).catch(() => {});
  await rest('POST', '/event-type', { name: 'compat.other', description: 'compat' }).catch(() => {});
  return app;
}

const publish = (app, eventType = 'compat.created') => rest('POST', `/app/${app.id}/msg`, { eventType, payload: { at: Date.now() } });

async function sequenceOf(app, message) {
  const data = await client().request('query($a: ID!, $m: ID!) { application(id: $a) { message(id: $m) { sequence } } }', { a: app.id, m: message.id });
  return Number(data.application.message.sequence);
}

/** Takes the next `count` results from an async iterator (leaving it open), failing after 20 s. */
async function take(iterator, count) {
  const results = [];
  let timer;
  const deadline = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no result within 20 s; got ${JSON.stringify(results)}`)), 20_000); });
  try {
    while (results.length < count) {
      const { value, done } = await Promise.race([iterator.next(), deadline]);
      if (done) break;
      results.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  assert.equal(results.length, count, `expected ${count} results, got ${JSON.stringify(results)}`);
  return results;
}

function sseClient(bearer = token) {
  return createSseClient({ url: `${baseUrl}/graphql`, headers: { authorization: `Bearer ${bearer}` }, retryAttempts: 0 });
}

function wsClient(bearer = token) {
  return createWsClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${bearer}` },
    retryAttempts: 0,
    lazy: true,
  });
}

test('graphql-sse: a subscription resumed from a sequence replays what followed it, then streams live', async () => {
  const app = await newApp();
  const first = await publish(app);
  await publish(app, 'compat.other');
  const second = await publish(app);
  const after = await sequenceOf(app, first);

  const sse = sseClient();
  try {
    const iterator = sse.iterate({ query: messagesSubscription, variables: { appId: app.id, after, types: ['compat.created'] } });
    const replayed = await take(iterator, 1);
    assert.equal(replayed[0].data.messageCreated.id, second.id);
    const live = await publish(app);
    const [next] = await take(iterator, 1);
    assert.equal(next.data.messageCreated.id, live.id);
    assert.ok(Number(next.data.messageCreated.sequence) > after);
    await iterator.return();
  } finally {
    sse.dispose();
  }
});

test('graphql-sse: a query over SSE gives its one result', async () => {
  const sse = sseClient();
  try {
    const [result] = await take(sse.iterate({ query: '{ eventTypes(first: 1) { edges { node { name } } } }' }), 1);
    assert.ok(Array.isArray(result.data.eventTypes.edges));
  } finally {
    sse.dispose();
  }
});

test('graphql-ws: messageCreated and attemptCompleted stream over one socket', async () => {
  const app = await newApp();
  const ws = wsClient();
  try {
    const after = await sequenceOf(app, await publish(app));
    const messages = ws.iterate({ query: messagesSubscription, variables: { appId: app.id, after } });
    const live = await publish(app, 'compat.other');
    const [next] = await take(messages, 1);
    assert.equal(next.data.messageCreated.id, live.id);
    assert.equal(next.data.messageCreated.eventType, 'compat.other');
    await messages.return();

    // An endpoint that refuses: each attempt fails with 4xx and is streamed as it is recorded.
    const endpoint = await rest('POST', `/app/${app.id}/endpoint`, { url: "http://127.0.0.1:9/no-such-receiver" });
    const attempts = ws.iterate({
      query: 'subscription($appId: ID!, $ep: ID) { attemptCompleted(appId: $appId, endpointId: $ep) { status endpointId responseStatusCode } }',
      variables: { appId: app.id, ep: endpoint.id },
    });
    const publisher = setInterval(() => publish(app).catch(() => {}), 500);
    try {
      const [attempt] = await take(attempts, 1);
      assert.equal(attempt.data.attemptCompleted.endpointId, endpoint.id);
      assert.ok(['FAIL', 'SENDING', 'PENDING'].includes(attempt.data.attemptCompleted.status), attempt.data.attemptCompleted.status);
    } finally {
      clearInterval(publisher);
      await attempts.return();
    }
  } finally {
    await ws.dispose();
  }
});

test('graphql-ws: an unknown token is refused with close code 4403', async () => {
  const ws = wsClient('herald_sk_not_a_real_token_0123456789');
  try {
    await assert.rejects(take(ws.iterate({ query: '{ __typename }' }), 1), (error) => {
      assert.equal(error.code, 4403);
      return true;
    });
  } finally {
    await ws.dispose();
  }
});
