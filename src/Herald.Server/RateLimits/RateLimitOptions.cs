using System.ComponentModel.DataAnnotations;

namespace Herald.Server.RateLimits;

/// <summary>
/// Request budgets, bound from <c>Herald:RateLimits</c>. Each is a token bucket: a caller may make <c>Burst</c>
/// requests at once and then one per 1/rate seconds; a request over budget is refused with 429 <c>rate_limited</c> and
/// <c>Retry-After</c>. Budgets are counted on each node (docs/SECURITY.md, "Rate limits": size them per node).
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "Herald:RateLimits";

    /// <summary>
    /// Requests per second each admin token (no application scope) may make, steadily; 0 = no limit, the default: an
    /// admin token is the operator's own backend publishing for every tenant (the benchmarks publish ~8,000 messages a
    /// second with one).
    /// </summary>
    [Range(0.0, 1_000_000.0)]
    public double AdminRequestsPerSecond { get; set; }

    /// <summary>Requests an admin token may make at once, above its steady rate; 0 = one second's worth.</summary>
    [Range(0, 10_000_000)]
    public int AdminBurst { get; set; }

    /// <summary>
    /// Requests per second each token scoped to one application (app-portal tokens) may make, steadily; 0 = no limit.
    /// Default 50: far more than a person in the app portal makes, far less than a script hammering the API.
    /// </summary>
    [Range(0.0, 1_000_000.0)]
    public double ApplicationRequestsPerSecond { get; set; } = 50;

    /// <summary>Requests an application token may make at once, above its steady rate; 0 = one second's worth. Default 1,000.</summary>
    [Range(0, 10_000_000)]
    public int ApplicationBurst { get; set; } = 1_000;

    /// <summary>
    /// Failed authentications (answers 401: no token, a malformed, unknown or expired one) per minute from one client
    /// address, steadily; once they are used up, every request from that address is refused with 429 until the budget
    /// refills, whatever token it carries. 0 = never slowed. Default 60.
    /// </summary>
    [Range(0.0, 1_000_000.0)]
    public double FailedAuthenticationsPerMinute { get; set; } = 60;

    /// <summary>Failed authentications one client address may have at once, above the steady rate; 0 = one minute's worth. Default 100.</summary>
    [Range(0, 10_000_000)]
    public int FailedAuthenticationBurst { get; set; } = 100;

    internal static int BurstOr(int burst, double perPeriod) => burst > 0 ? burst : (int)Math.Max(1, Math.Ceiling(perPeriod));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A rate so low that the first refused request would be told to come back in over a day is a typo.
        foreach (var (name, perSecond) in new[]
        {
            (nameof(AdminRequestsPerSecond), AdminRequestsPerSecond),
            (nameof(ApplicationRequestsPerSecond), ApplicationRequestsPerSecond),
            (nameof(FailedAuthenticationsPerMinute), FailedAuthenticationsPerMinute / 60),
        })
        {
            if (perSecond is > 0 and < 1.0 / 86_400)
            {
                yield return new ValidationResult($"{Section}:{name} must be 0 (no limit) or at least one a day.", [name]);
            }
        }
    }
}
