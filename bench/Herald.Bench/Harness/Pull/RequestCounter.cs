namespace Herald.Bench.Harness.Pull;

/// <summary>Counts the HTTP requests a consumer makes (reconnects of a stream included).</summary>
internal sealed class RequestCounter(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
