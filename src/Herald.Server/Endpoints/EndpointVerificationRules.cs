using Herald.Server.Api;
using Herald.Server.Storage;

namespace Herald.Server.Endpoints;

/// <summary>
/// What create, upsert and patch do with <c>verificationMethod</c>: refuse what is unknown or what the server's
/// <c>Herald:Delivery:RequireEndpointVerification</c> forbids, and start a new round of verification when the method is
/// chosen, changed, or the URL changes (a new URL is a new receiver to ask).
/// </summary>
internal static class EndpointVerificationRules
{
    public const string Field = "body.verificationMethod";

    /// <summary>422 naming the field for a value that is not <c>handshake</c>, <c>ping</c> or <c>none</c>, or <c>none</c> where verification is required.</summary>
    public static void Validate(Validator v, EndpointIn input, bool present, VerificationMethod required)
    {
        if (input.VerificationMethod is { } name && EndpointVerification.ParseMethod(name) is null)
        {
            v.Add(Field, "invalid_value", "must be handshake, ping or none.");
            return;
        }

        var asked = present ? EndpointVerification.ParseMethod(input.VerificationMethod) ?? VerificationMethod.None : (VerificationMethod?)null;
        if (required != VerificationMethod.None && asked == VerificationMethod.None)
        {
            v.Add(Field, "verification_required",
                $"cannot be none: this server requires every endpoint to be verified (Herald:Delivery:RequireEndpointVerification = {required}).");
        }
    }

    /// <summary>The verification of a new endpoint: the one asked for, else the one the server requires; null for none.</summary>
    public static EndpointVerification? ForNew(EndpointIn input, VerificationMethod required, DateTimeOffset now)
    {
        var method = EndpointVerification.ParseMethod(input.VerificationMethod) ?? required;
        return method == VerificationMethod.None ? null : EndpointVerification.Start(method, now);
    }

    /// <summary>The verification after a change: <paramref name="existing"/>'s own instance when nothing about it changed.</summary>
    public static EndpointVerification? ForUpdate(HeraldEndpoint existing, bool present, string? method, string newUrl, DateTimeOffset now)
    {
        var current = existing.Verification;
        var wanted = present ? EndpointVerification.ParseMethod(method) ?? VerificationMethod.None : current?.Method ?? VerificationMethod.None;
        if (wanted == VerificationMethod.None)
        {
            return null;
        }

        return current is null || current.Method != wanted || !string.Equals(existing.Url, newUrl, StringComparison.Ordinal)
            ? EndpointVerification.Start(wanted, now)
            : current;
    }

    /// <summary>
    /// Stores an updated endpoint and its verification, when that changed: a verification that holds deliveries is
    /// stored first (nothing goes to the new URL unverified), one that releases them after.
    /// </summary>
    public static async Task SaveAsync(IEndpointStore store, IVerificationStore verifications, HeraldEndpoint before, HeraldEndpoint after, CancellationToken cancellationToken)
    {
        var changed = !ReferenceEquals(before.Verification, after.Verification);
        if (changed && after.Verification is { HoldsDeliveries: true })
        {
            await verifications.SetEndpointVerificationAsync(after.Id, after.Verification, after.UpdatedAt, cancellationToken);
        }

        await store.UpdateEndpointAsync(after, cancellationToken);
        if (changed && after.Verification is not { HoldsDeliveries: true })
        {
            await verifications.SetEndpointVerificationAsync(after.Id, after.Verification, after.UpdatedAt, cancellationToken);
        }
    }
}
