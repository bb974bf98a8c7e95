using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Health;

/// <summary>
/// The real store of a test's Herald (either engine) behind a proxy that counts calls and can make a method fail as
/// storage would (a full disk, a database that is down), to check what clients are answered without breaking a disk.
/// </summary>
public class FaultyStore : DispatchProxy, IDisposable, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Exception> _faults = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private IHeraldStore _inner = null!;

    /// <summary>A server on <paramref name="herald"/>'s settings whose store is a <see cref="FaultyStore"/>; dispose both.</summary>
    public static WebApplicationFactory<Program> Around(HeraldApplication herald) => herald.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
    {
        var original = services.Last(d => d.ServiceType == typeof(IHeraldStore));
        services.Remove(original);
        services.AddSingleton(provider =>
        {
            var proxy = Create<IHeraldStore, FaultyStore>();
            ((FaultyStore)(object)proxy)._inner = (IHeraldStore)original.ImplementationFactory!(provider);
            return proxy;
        });
    }));

    public static FaultyStore Of(WebApplicationFactory<Program> server) => (FaultyStore)(object)server.Services.GetRequiredService<IHeraldStore>();

    /// <summary>From now on, <paramref name="method"/> (e.g. <c>nameof(IHeraldStore.ProbeWriteAsync)</c>) fails with <paramref name="failure"/>; null heals it.</summary>
    public void Fail(string method, Exception? failure)
    {
        if (failure is null)
        {
            _faults.TryRemove(method, out _);
        }
        else
        {
            _faults[method] = failure;
        }
    }

    public int Calls(string method) => _calls.GetValueOrDefault(method);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        _calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        if (_faults.TryGetValue(targetMethod.Name, out var failure))
        {
            return Failed(targetMethod.ReturnType, failure);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static object Failed(Type returnType, Exception failure)
    {
        if (returnType == typeof(Task))
        {
            return Task.FromException(failure);
        }

        var result = returnType.GetGenericArguments()[0];
        var source = Activator.CreateInstance(typeof(TaskCompletionSource<>).MakeGenericType(result))!;
        source.GetType().GetMethod(nameof(TaskCompletionSource.SetException), [typeof(Exception)])!.Invoke(source, [failure]);
        return source.GetType().GetProperty(nameof(TaskCompletionSource.Task))!.GetValue(source)!;
    }

    public void Dispose()
    {
        (_inner as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    public async ValueTask DisposeAsync()
    {
        if (_inner is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            (_inner as IDisposable)?.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
