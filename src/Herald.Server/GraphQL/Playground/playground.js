// Herald's GraphQL playground: GraphiQL (vendored, served by Herald itself) against this server's /graphql.
// Queries and mutations are POSTed as JSON; subscriptions use GraphQL over SSE (the graphql-sse protocol's distinct
// connections mode). The token goes in the Headers tab: {"Authorization": "Bearer <token>"}; it is not stored.
(function () {
  'use strict';
  var endpoint = new URL('/graphql', window.location.href).toString();

  function isSubscription(params) {
    var doc = params.query || '';
    var wanted = params.operationName;
    var re = /(^|[\s}])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var match;
    while ((match = re.exec(doc)) !== null) {
      if (!wanted || match[3] === wanted) {
        return match[2] === 'subscription';
      }
    }
    return false;
  }

  function sse(params, headers) {
    var controller = new AbortController();
    var queue = [];
    var waiting = null;
    var done = false;
    function push(item) {
      if (waiting) { var w = waiting; waiting = null; w(item); } else { queue.push(item); }
    }
    fetch(endpoint, {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }, headers),
      body: JSON.stringify(params),
      signal: controller.signal,
    }).then(async function (response) {
      if (!response.ok || !response.body) {
        push({ value: await response.json().catch(function () { return { errors: [{ message: 'HTTP ' + response.status }] }; }), done: false });
        push({ done: true });
        return;
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) { break; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          var block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          var event = 'message';
          var data = [];
          block.split('\n').forEach(function (line) {
            if (line.indexOf('event:') === 0) { event = line.slice(6).trim(); }
            else if (line.indexOf('data:') === 0) { data.push(line.slice(5).replace(/^ /, '')); }
          });
          if (event === 'next') { push({ value: JSON.parse(data.join('\n')), done: false }); }
          else if (event === 'complete') { push({ done: true }); return; }
        }
      }
      push({ done: true });
    }).catch(function (error) {
      if (!done) { push({ value: { errors: [{ message: String(error) }] }, done: false }); push({ done: true }); }
    });
    var iterator = {
      next: function () {
        if (queue.length) { return Promise.resolve(queue.shift()); }
        return new Promise(function (resolve) { waiting = resolve; });
      },
      return: function () { done = true; controller.abort(); return Promise.resolve({ done: true }); },
    };
    iterator[Symbol.asyncIterator] = function () { return iterator; };
    return iterator;
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params)) {
      return sse(params, headers);
    }
    return fetch(endpoint, {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) { return response.json(); });
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: '{\n  "Authorization": "Bearer "\n}',
    defaultQuery: '# Put your token in the Headers tab below, then run:\n\nquery {\n  applications(first: 5) {\n    edges { node { id name } }\n  }\n}\n',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }));
})();
