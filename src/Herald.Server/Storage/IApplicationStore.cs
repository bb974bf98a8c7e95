using Herald.Server.Applications;

namespace Herald.Server.Storage;

/// <summary>Applications.</summary>
public interface IApplicationStore
{
    Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken);
    Task<Page<Application>> ListApplicationsAsync(ApplicationFilter filter, PageRequest page, CancellationToken cancellationToken);
    Task CreateApplicationAsync(Application application, CancellationToken cancellationToken);
    Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken);
    Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken);
}
