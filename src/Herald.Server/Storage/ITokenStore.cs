using Herald.Server.Auth;

namespace Herald.Server.Storage;

/// <summary>Tokens: the admin, API-key and app-portal tokens, looked up by hash and expired.</summary>
public interface ITokenStore
{
    Task<bool> AnyAdminTokenAsync(CancellationToken cancellationToken);
    Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken);
    Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Makes the token expire at <paramref name="at"/> (or keeps its earlier expiry); false when there is no such token.</summary>
    Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The same for every token of the application, or only those of <paramref name="sessionIds"/>; returns how many.</summary>
    Task<int> ExpireApplicationTokensAsync(string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken);
}
