using System.Runtime.CompilerServices;

namespace Herald.Client.Http;

/// <summary>Walks a list page by page, following each page's iterator until the last page.</summary>
internal static class Pages
{
    public static async IAsyncEnumerable<T> WalkAsync<T>(
        string? iterator, Func<string?, CancellationToken, Task<ListResponse<T>>> fetch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await fetch(iterator, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Data)
            {
                yield return item;
            }

            if (page.Done || page.Iterator is null)
            {
                yield break;
            }

            iterator = page.Iterator;
        }
    }
}
