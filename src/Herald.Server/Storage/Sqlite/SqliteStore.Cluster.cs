namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>One SQLite file serves one process: there is no other node to share limits with.</summary>
    public bool IsShared => false;

    public Task<bool> TryTakeSendBudgetAsync(string endpointId, int perSecond, CancellationToken cancellationToken) =>
        throw new NotSupportedException("SQLite storage serves a single node; its endpoint limits live in the process.");

    public Task<int> HeartbeatAsync(string node, DateTimeOffset now, DateTimeOffset aliveSince, CancellationToken cancellationToken) =>
        Task.FromResult(1);

    public Task<ConnectionBudget?> GetConnectionBudgetAsync(CancellationToken cancellationToken) => Task.FromResult<ConnectionBudget?>(null);
}
