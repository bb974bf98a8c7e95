using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Herald.Server.Delivery;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api;

/// <summary>What a query value of one kind must look like, and what the client is told when it does not.</summary>
internal sealed record QueryRule(string Code, string Message, Func<string, bool> Accepts);

/// <summary>
/// Minimal-API binding answers a malformed typed query parameter (<c>bool?</c>, <c>int?</c>, a date-time, an enum)
/// with a bare 400 that does not say which one. This check runs first, over the query parameters the matched
/// route declares (its handler's parameters and <c>[AsParameters]</c> records), and refuses every malformed one
/// precisely: one 422 naming each parameter and what it accepts.
/// </summary>
internal static class QueryBindingCheck
{
    private static readonly QueryRule Boolean = new("invalid_boolean", "must be true or false.", t => bool.TryParse(t, out _));

    private static readonly QueryRule DateTime = new("invalid_datetime", "must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.",
        t => DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out _));

    private static readonly QueryRule Integer = new("invalid_integer", "must be an integer.",
        t => long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));

    // Rules for a name win over rules for a type (limit has a range; status_code_class a set of classes).
    private static readonly Dictionary<string, QueryRule> ByName = new(StringComparer.Ordinal)
    {
        ["limit"] = new("out_of_range", Paging.LimitRule, t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
        ["status_code_class"] = DeliveryQueryRules.StatusCodeClass,
    };

    private static readonly Dictionary<Type, QueryRule> ByType = new()
    {
        [typeof(bool)] = Boolean,
        [typeof(DateTimeOffset)] = DateTime,
        [typeof(int)] = Integer,
        [typeof(long)] = Integer,
        [typeof(MessageStatus)] = DeliveryQueryRules.Status,
    };

    private static readonly ConcurrentDictionary<MethodInfo, (string Name, QueryRule Rule)[]> Rules = new();

    public static IApplicationBuilder UseQueryBindingCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } handler && context.Request.Query.Count > 0)
        {
            var errors = new List<ValidationItem>();
            foreach (var (name, rule) in Rules.GetOrAdd(handler, RulesOf))
            {
                if (context.Request.Query.TryGetValue(name, out var values) && !values.All(v => v is not null && rule.Accepts(v)))
                {
                    errors.Add(ValidationItem.At($"query.{name}", rule.Code, rule.Message));
                }
            }

            if (errors.Count > 0)
            {
                await ApiErrorHandling.ToResult(ApiException.Invalid(errors)).ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });

    // Any other enum (a route merged later, e.g. a task status): its names or numbers, as the binder's Enum.TryParse takes them, but only defined ones.
    private static QueryRule? RuleOf(Type type) => ByType.GetValueOrDefault(type) ?? (type.IsEnum
        ? new QueryRule("invalid_value", $"must be one of: {string.Join(", ", Enum.GetNames(type))}.",
            t => Enum.TryParse(type, t, ignoreCase: false, out var value) && Enum.IsDefined(type, value!))
        : null);

    /// <summary>The declared query parameters of a handler that have a rule: its own simple parameters and the properties of its [AsParameters] records.</summary>
    public static (string Name, QueryRule Rule)[] RulesOf(MethodInfo handler)
    {
        var declared = new List<(string Name, Type Type)>();
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                declared.AddRange(parameter.ParameterType.GetProperties()
                    .Where(p => p.GetCustomAttribute<FromQueryAttribute>() is not null)
                    .Select(p => (p.GetCustomAttribute<FromQueryAttribute>()!.Name ?? p.Name, p.PropertyType)));
            }
            else if (parameter.Name is { } name)
            {
                declared.Add((parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? name, parameter.ParameterType));
            }
        }

        return declared
            .Select(d => (d.Name, Rule: ByName.GetValueOrDefault(d.Name) ?? RuleOf(Nullable.GetUnderlyingType(d.Type) ?? d.Type)))
            .Where(d => d.Rule is not null)
            .Select(d => (d.Name, d.Rule!))
            .ToArray();
    }
}
