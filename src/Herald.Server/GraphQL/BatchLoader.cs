using GraphQL.DataLoader;

namespace Herald.Server.GraphQL;

/// <summary>
/// A data loader in graphql-dotnet's sense (<see cref="IDataLoaderResult{T}"/>, which its executor resolves after every
/// field of a level has been visited): keys asked for while a level runs are fetched together in one call of
/// <c>fetch</c>, and each key is fetched at most once per request (the GraphQL.DataLoader package is not available here,
/// so this is the small part of it Herald needs). One instance per request; thread-safe for the parallel executor.
/// </summary>
internal sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    where TKey : notnull
    where TValue : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, Task<TValue?>> _results = [];
    private readonly List<TKey> _pending = [];

    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        lock (_lock)
        {
            if (!_results.ContainsKey(key) && !_pending.Contains(key))
            {
                _pending.Add(key);
            }
        }

        return new Result(this, key);
    }

    /// <summary>Remembers a value read another way (a list), so loading its key later costs no storage call.</summary>
    public void Prime(TKey key, TValue value)
    {
        lock (_lock)
        {
            _results.TryAdd(key, Task.FromResult<TValue?>(value));
        }
    }

    private Task<TValue?> ResolveAsync(TKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_results.TryGetValue(key, out var known))
            {
                return known;
            }

            var batch = _pending.Where(k => !_results.ContainsKey(k)).ToList();
            _pending.Clear();
            if (!batch.Contains(key))
            {
                batch.Add(key);
            }

            var all = fetch(batch, cancellationToken);
            foreach (var k in batch)
            {
                _results[k] = PickAsync(all, k);
            }

            return _results[key];
        }
    }

    private static async Task<TValue?> PickAsync(Task<IReadOnlyDictionary<TKey, TValue>> all, TKey key) =>
        (await all).GetValueOrDefault(key);

    private sealed class Result(BatchLoader<TKey, TValue> owner, TKey key) : IDataLoaderResult<TValue?>
    {
        public Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default) => owner.ResolveAsync(key, cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
