using Herald.Server.Storage.Sqlite;

namespace Herald.Server.Storage;

internal static class StorageExtensions
{
    public static IHostApplicationBuilder AddHeraldStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IHeraldStore, SqliteStore>();
        return builder;
    }
}
