using System.Collections.Concurrent;

namespace Herald.Client.Tests.Infrastructure;

/// <summary>Records each request the client sends (method, path and query, headers) before passing it on.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<HttpRequestMessage> _requests = new();

    public IReadOnlyList<HttpRequestMessage> Requests => [.. _requests];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return base.SendAsync(request, cancellationToken);
    }
}
