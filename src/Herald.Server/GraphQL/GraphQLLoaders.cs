using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.GraphQL;

/// <summary>
/// The request's data loaders (scoped: one set per GraphQL request). Relations are resolved through them, so a nested
/// query reads each application, endpoint and message at most once, and the endpoints of an application in one list
/// read whatever number of attempts point at them.
/// </summary>
internal sealed class GraphQLLoaders
{
    public GraphQLLoaders(IEndpointStore store, IApplicationStore applications, IMessageStore messages)
    {
        Applications = new((ids, ct) => FetchEachAsync(ids, id => applications.GetApplicationAsync(id, ct)));
        Messages = new((keys, ct) => FetchEachAsync(keys, k => messages.GetMessageAsync(k.ApplicationId, k.Id, ct)));
        Endpoints = new(async (keys, ct) =>
        {
            var found = new Dictionary<(string ApplicationId, string Id), HeraldEndpoint>();
            foreach (var group in keys.GroupBy(k => k.ApplicationId))
            {
                if (group.Count() == 1)
                {
                    if (await store.GetEndpointAsync(group.Key, group.First().Id, ct) is { } endpoint)
                    {
                        found[(group.Key, group.First().Id)] = endpoint;
                    }

                    continue;
                }

                // Several endpoints of one application: one walk through its endpoint list (pages of the REST maximum).
                var wanted = group.Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
                string? after = null;
                while (true)
                {
                    var page = await store.ListEndpointsAsync(group.Key, new PageRequest(Paging.MaxLimit, after, false, false), ct);
                    foreach (var endpoint in page.Items.Where(e => wanted.Contains(e.Id)))
                    {
                        found[(group.Key, endpoint.Id)] = endpoint;
                    }

                    if (!page.HasMore || page.Items.Count == 0 || found.Count(f => f.Key.ApplicationId == group.Key) == wanted.Count)
                    {
                        break;
                    }

                    after = page.Items[^1].Id;
                }
            }

            return found;
        });
    }

    public BatchLoader<string, Application> Applications { get; }

    public BatchLoader<(string ApplicationId, string Id), HeraldEndpoint> Endpoints { get; }

    public BatchLoader<(string ApplicationId, string Id), Message> Messages { get; }

    private static async Task<IReadOnlyDictionary<TKey, TValue>> FetchEachAsync<TKey, TValue>(IReadOnlyList<TKey> keys, Func<TKey, Task<TValue?>> get)
        where TKey : notnull
        where TValue : class
    {
        var found = new Dictionary<TKey, TValue>();
        foreach (var key in keys)
        {
            if (await get(key) is { } value)
            {
                found[key] = value;
            }
        }

        return found;
    }
}
