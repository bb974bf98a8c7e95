using Herald.Server.Auth;

namespace Herald.Server.Storage.Sqlite;

// The token reads and writes are shared (RelationalStore.Tokens.cs); here the token cache is filled and invalidated.
internal sealed partial class SqliteStore
{
    public override Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.ExpireTokenAsync(tokenId, at, cancellationToken), _tokens);

    public override Task<int> ExpireApplicationTokensAsync(
        string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.ExpireApplicationTokensAsync(applicationId, sessionIds, at, cancellationToken), _tokens);

    public override Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        _tokens.GetAsync(Convert.ToHexString(hash), () => base.FindTokenAsync(hash, cancellationToken));
}
