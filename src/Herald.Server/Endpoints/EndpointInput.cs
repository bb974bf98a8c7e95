using Herald.Server.Api;

namespace Herald.Server.Endpoints;

/// <summary>
/// An endpoint body with Svix 1.x's names folded into 2.x's: <c>filterTypes</c> is <c>eventTypes</c>, <c>rateLimit</c>
/// is <c>throttleRate</c>. The 1.x SDKs (still what most Svix users run) send only the old names; dropping them would
/// give the endpoint every event type, unthrottled. <see cref="EventTypesField"/> and <see cref="ThrottleRateField"/>
/// are the names the client used, so a refusal points at the field it sent.
/// </summary>
internal sealed record EndpointInput(
    EndpointIn Value, bool HasEventTypes, string EventTypesField, bool HasThrottleRate, string ThrottleRateField)
{
    /// <summary>Folds the aliases; an alias sent together with its 2.x name but a different value is refused (422 naming both).</summary>
    public static EndpointInput From(JsonBody<EndpointIn> body, Validator v)
    {
        var input = body.Value;
        var (hasEventTypes, eventTypesField, eventTypes) = Fold(
            v, body, "eventTypes", input.EventTypes, "filterTypes", input.FilterTypes, SameSet);
        var (hasThrottleRate, throttleRateField, throttleRate) = Fold(
            v, body, "throttleRate", input.ThrottleRate, "rateLimit", input.RateLimit, (a, b) => a == b);
        return new EndpointInput(
            input with { EventTypes = eventTypes, ThrottleRate = throttleRate, FilterTypes = null, RateLimit = null },
            hasEventTypes, eventTypesField, hasThrottleRate, throttleRateField);
    }

    private static (bool Has, string Field, T Value) Fold<T>(
        Validator v, JsonBody<EndpointIn> body, string name, T value, string alias, T aliasValue, Func<T, T, bool> equal)
    {
        if (!body.Has(alias))
        {
            return (body.Has(name), name, value);
        }

        if (!body.Has(name))
        {
            return (true, alias, aliasValue);
        }

        if (!equal(value, aliasValue))
        {
            v.Add($"body.{alias}", "conflicting_alias",
                $"is the Svix 1.x name of body.{name}, which this request also sends with a different value; send one of them, or the same value in both.");
        }

        return (true, name, value);
    }

    private static bool SameSet(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null || b is null ? a is null && b is null : a.ToHashSet(StringComparer.Ordinal).SetEquals(b);
}
