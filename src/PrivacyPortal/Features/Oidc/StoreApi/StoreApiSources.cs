namespace PrivacyPortal.Features.Oidc.StoreApi;

// The store API serves data that other features own. Each source is an interface here, implemented
// beside it on the owning feature's tables (see MarketingPermissionsReader for why here). Every call
// names the store's company (controller) or the store, so a store only ever sees its own data.

/// <summary>A page of changes after a cursor; <see cref="NextCursor"/> is passed back as <c>since</c> next time.</summary>
public sealed record ChangePage<T>(IReadOnlyList<T> Items, string? NextCursor, bool HasMore);

/// <param name="Kind"><c>objection</c> (Art. 21(3)), <c>withdrawal</c> (Art. 7(3)) or <c>unsubscribe</c>.</param>
/// <param name="Channel">The marketing channel (e.g. <c>email</c>, <c>sms</c>), when the change is per channel.</param>
/// <param name="Purpose">The consent or newsletter it is about, when it is about one.</param>
public sealed record SuppressionEntry(string Sub, string Email, string Kind, string? Channel, string? Purpose, DateTimeOffset ChangedAt);

public sealed record MarketingPermissionEntry(string Sub, string Email, MarketingPermissions Permissions, DateTimeOffset ChangedAt);

/// <summary>Marketing permissions and the suppression list (owned by the preferences feature).</summary>
public interface ISuppressionSource
{
    Task<ChangePage<MarketingPermissionEntry>> GetMarketingPermissionsAsync(string controllerId, string? since, int limit, CancellationToken cancellationToken);

    Task<ChangePage<SuppressionEntry>> GetSuppressionsAsync(string controllerId, string? since, int limit, CancellationToken cancellationToken);
}

/// <param name="Kind"><c>erasure</c>, <c>rectification</c> or <c>restriction</c>.</param>
/// <param name="ExternalIds">The store's own record ids the task is about (from its pushes).</param>
/// <param name="Details">What to change, for a rectification.</param>
/// <param name="Id">The task's id (RecipientTasks.Id): ids only grow, so the last one seen is the cursor.</param>
public sealed record RecipientTaskItem(
    long Id,
    string Kind,
    string Sub,
    string Email,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> ExternalIds,
    string? Details,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcknowledgedAt,
    IReadOnlyList<RecipientTaskRecord> Records);

/// <summary>
/// What the store must do with one record: <c>erase</c>, <c>anonymise</c> (keep only
/// <see cref="KeepFields"/>, without the link to the person), <c>restrict</c> (keep, unused, until
/// <see cref="KeepUntil"/> under a legal duty or a legal hold) or <c>rectify</c> (<see cref="Field"/> becomes <see cref="Value"/>).
/// One erasure can mix them: records under a retention duty are restricted, not erased. An objection
/// (Art. 21(1)) names its <see cref="Purpose"/>: <c>restrict-for-purpose</c> while it is considered,
/// <c>stop-purpose</c> when upheld, <c>lift-purpose-restriction</c> when refused.
/// </summary>
public sealed record RecipientTaskRecord(
    string? Controller,
    string? Category,
    string? ExternalId,
    string Action,
    string? KeepUntil,
    IReadOnlyList<string>? KeepFields,
    string? Field,
    string? Value,
    string? Purpose = null);

public enum AcknowledgeOutcome
{
    Acknowledged,
    AlreadyAcknowledged,
    NotFound,
}

/// <summary>Art. 19 tasks addressed to a store (owned by the requests feature's RecipientTask table).</summary>
public interface IRecipientTaskSource
{
    Task<ChangePage<RecipientTaskItem>> GetTasksAsync(string storeId, string controllerId, string? since, bool includeAcknowledged, int limit, CancellationToken cancellationToken);

    Task<AcknowledgeOutcome> AcknowledgeAsync(string storeId, long taskId, string? note, CancellationToken cancellationToken);
}

/// <summary>A person's cookie-consent choice (owned by the cookie-consent feature).</summary>
public interface ICookieConsentSource
{
    Task<CookieConsentChoice?> GetAsync(Guid subjectId, CancellationToken cancellationToken);
}
