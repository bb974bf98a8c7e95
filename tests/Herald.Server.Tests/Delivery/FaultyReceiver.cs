using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// A raw TCP server on 127.0.0.1 that fails every request in one way Kestrel cannot be made to: it resets the
/// connection before or in the middle of its answer, stops writing mid-body, or speaks TLS with a certificate
/// nobody trusts. <see cref="Requests"/> counts the requests it read in full (for TLS: the handshakes begun).
/// </summary>
internal sealed class FaultyReceiver : IAsyncDisposable
{
    /// <summary>The body bytes written before the connection breaks, of the 100,000 announced.</summary>
    public const int BodyBytesWritten = 1000;

    private static readonly byte[] PartialAnswer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" + new string('a', BodyBytesWritten));

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<FaultyReceiver, Socket, Task> _handle;
    private readonly string _scheme;
    private readonly Task _accepting;
    private int _requests;

    private FaultyReceiver(string scheme, Func<FaultyReceiver, Socket, Task> handle)
    {
        _scheme = scheme;
        _handle = handle;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Requests => Volatile.Read(ref _requests);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"{_scheme}://127.0.0.1:{Port}/webhook";

    /// <summary>Reads each request, then resets the connection (RST) without a byte of answer.</summary>
    public static FaultyReceiver ResetBeforeHeaders() => new("http", async (self, socket) =>
    {
        await self.ReadRequestAsync(socket);
        Reset(socket);
    });

    /// <summary>Answers <c>200</c> with <c>Content-Length: 100000</c>, writes 1,000 bytes of it, then resets the connection.</summary>
    public static FaultyReceiver ResetMidBody() => new("http", async (self, socket) =>
    {
        await self.ReadRequestAsync(socket);
        await socket.SendAsync(PartialAnswer, self._stop.Token);
        Reset(socket);
    });

    /// <summary>Answers <c>200</c> with <c>Content-Length: 100000</c>, writes 1,000 bytes of it, then writes nothing more.</summary>
    public static FaultyReceiver HangMidBody() => new("http", async (self, socket) =>
    {
        await self.ReadRequestAsync(socket);
        await socket.SendAsync(PartialAnswer, self._stop.Token);
        await Task.Delay(Timeout.Infinite, self._stop.Token);
    });

    /// <summary>An https server whose certificate (for 127.0.0.1) is self-signed, so no client trusts it.</summary>
    public static FaultyReceiver UntrustedTls()
    {
        var certificate = SelfSignedCertificate();
        return new("https", async (self, socket) =>
        {
            Interlocked.Increment(ref self._requests);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, self._stop.Token);
        });
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        await _handle(this, socket);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                        or System.Security.Authentication.AuthenticationException)
                    {
                        // The client gave up (a failed TLS handshake, a timeout) or the test ended.
                    }
                }
            });
        }
    }

    /// <summary>Reads the request head and its Content-Length bytes of body, then counts the request.</summary>
    private async Task ReadRequestAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        int? expected = null;
        while (expected is null || received.Count < expected)
        {
            var read = await socket.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                throw new IOException("The client closed the connection before its request was complete.");
            }

            received.AddRange(buffer.AsSpan(0, read));
            if (expected is null)
            {
                var text = Encoding.ASCII.GetString([.. received]);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    var length = text[..end].Split("\r\n")
                        .Select(line => line.Split(':', 2))
                        .FirstOrDefault(parts => parts.Length == 2 && parts[0].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase));
                    expected = end + 4 + (length is null ? 0 : int.Parse(length[1].Trim(), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        Interlocked.Increment(ref _requests);
    }

    /// <summary>Closes with an RST rather than a FIN: linger on, with a zero timeout.</summary>
    private static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
