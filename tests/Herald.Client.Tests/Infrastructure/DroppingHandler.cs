using System.Text;

namespace Herald.Client.Tests.Infrastructure;

/// <summary>
/// Breaks the first event stream the client opens right after its first event, as a proxy or a network failure
/// would: the response body passes through up to the end of that event, then reading it throws <see cref="IOException"/>.
/// </summary>
public sealed class DroppingHandler : DelegatingHandler
{
    private int _dropped;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith("/stream", StringComparison.Ordinal) && Interlocked.Exchange(ref _dropped, 1) == 0)
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            var content = new StreamContent(new DropAfterFirstEvent(inner));
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
        }

        return response;
    }

    private sealed class DropAfterFirstEvent(Stream inner) : Stream
    {
        private readonly List<byte> _seen = [];
        private byte[] _pending = [];
        private bool _cut;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_pending.Length == 0)
            {
                if (_cut)
                {
                    throw new IOException("The connection was reset (by the test).");
                }

                var chunk = new byte[4096];
                var read = await inner.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return 0;
                }

                var start = _seen.Count;
                _seen.AddRange(chunk.AsSpan(0, read));
                var text = Encoding.UTF8.GetString([.. _seen]);
                var data = text.IndexOf("\ndata: ", StringComparison.Ordinal);
                var end = data < 0 ? -1 : text.IndexOf("\n\n", data, StringComparison.Ordinal);
                if (end >= 0)
                {
                    _cut = true;
                    _pending = [.. _seen.Skip(start).Take(Encoding.UTF8.GetByteCount(text[..(end + 2)]) - start)];
                }
                else
                {
                    _pending = chunk[..read];
                }
            }

            var count = Math.Min(buffer.Length, _pending.Length);
            _pending.AsSpan(0, count).CopyTo(buffer.Span);
            _pending = _pending[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
