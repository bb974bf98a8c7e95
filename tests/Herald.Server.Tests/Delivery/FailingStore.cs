using System.Collections.Concurrent;
using System.Reflection;
using Herald.Server.Delivery;
using Herald.Server.Storage;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// Herald's real store behind a switch: the methods named in <see cref="Fail"/> throw (as a stopped database would)
/// until <see cref="Heal"/>; everything else passes through. Records what the dispatcher's claims returned, and counts
/// the calls of each method.
/// Built with <see cref="DispatchProxy"/>, so it follows the store interface as it grows.
/// </summary>
public class FailingStore : DispatchProxy
{
    private static readonly MethodInfo FromException = typeof(Task).GetMethods()
        .Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition);

    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(DateTimeOffset Now, IReadOnlyList<DeliveryTask> Claimed)> _claims = new();
    private IHeraldStore _inner = null!;
    private volatile HashSet<string> _failing = [];

    /// <summary>The store the server was given; dispose <see cref="Inner"/> after the server.</summary>
    public static FailingStore Wrap(IHeraldStore inner)
    {
        var proxy = Create<IHeraldStore, FailingStore>();
        var control = (FailingStore)(object)proxy;
        control._inner = inner;
        return control;
    }

    public IHeraldStore Store => (IHeraldStore)(object)this;

    public IHeraldStore Inner => _inner;

    public void Fail(params string[] methods) => _failing = [.. methods];

    public void Heal() => _failing = [];

    /// <summary>How many calls of these methods failed so far.</summary>
    public int Failures(params string[] methods) => methods.Sum(m => _failures.GetValueOrDefault(m));

    /// <summary>How many calls of this method were made so far (failed or not).</summary>
    public int Calls(string method) => _calls.GetValueOrDefault(method);

    /// <summary>The claims that succeeded: the time each claimed at, and what it returned.</summary>
    public IReadOnlyList<(DateTimeOffset Now, IReadOnlyList<DeliveryTask> Claimed)> Claims => [.. _claims];

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        _calls.AddOrUpdate(method.Name, 1, (_, n) => n + 1);
        if (_failing.Contains(method.Name))
        {
            _failures.AddOrUpdate(method.Name, 1, (_, n) => n + 1);
            var error = new IOException($"Storage is down (test): {method.Name} failed.", 5); // EIO: an outage, as StorageFailure sees it.
            return method.ReturnType == typeof(Task)
                ? Task.FromException(error)
                : FromException.MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).Invoke(null, [error]);
        }

        object? result;
        try
        {
            result = method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw;
        }

        return method.Name == nameof(IHeraldStore.ClaimDueDeliveriesAsync)
            ? ObserveClaimAsync((Task<IReadOnlyList<DeliveryTask>>)result!, (DateTimeOffset)args![1]!)
            : result;
    }

    private async Task<IReadOnlyList<DeliveryTask>> ObserveClaimAsync(Task<IReadOnlyList<DeliveryTask>> claim, DateTimeOffset now)
    {
        var claimed = await claim;
        _claims.Enqueue((now, claimed));
        return claimed;
    }
}
