using Herald.Server.Endpoints;

namespace Herald.Server.Storage;

/// <summary>Endpoint ownership verification (Endpoints/EndpointVerifier.cs): its state, the deliveries it holds, and giving up.</summary>
public interface IVerificationStore
{
    /// <summary>
    /// Sets the endpoint's verification (null: none). When that no longer holds deliveries (verified, or none), the
    /// deliveries it held become due at <paramref name="now"/> unless the endpoint is disabled. False when the endpoint is gone.
    /// </summary>
    Task<bool> SetEndpointVerificationAsync(string endpointId, EndpointVerification? verification, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending verifications whose check is due at <paramref name="now"/>, moving
    /// their next check to <paramref name="claimedUntil"/> so that no other node checks them meanwhile.
    /// </summary>
    Task<IReadOnlyList<HeraldEndpoint>> ClaimDueVerificationsAsync(DateTimeOffset now, DateTimeOffset claimedUntil, int limit, CancellationToken cancellationToken);

    /// <summary>The endpoint whose pending verification has this callback token hash; null when none has.</summary>
    Task<HeraldEndpoint?> FindEndpointByVerificationTokenAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a leased delivery back without an attempt: parked (due never) while its endpoint's verification holds
    /// deliveries, due at <paramref name="now"/> when it no longer does — decided at write time, so a verification that
    /// completes meanwhile cannot leave it parked.
    /// </summary>
    Task HoldForVerificationAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: stores the <paramref name="failed"/> verification, fails the deliveries it held, and disables
    /// the endpoint. True when this disabled it (it was enabled); null, changing nothing, when the round it ends (its
    /// <see cref="EndpointVerification.StartedAt"/>) is no longer pending: the callback verified it, or a change or the
    /// verify route started a new round, after the verifier read it.
    /// </summary>
    Task<bool?> GiveUpEndpointVerificationAsync(string endpointId, EndpointVerification failed, DateTimeOffset now, CancellationToken cancellationToken);
}
