namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>The store API's scopes; a store's client-credentials token carries those in its <c>Oidc:Clients:{id}:ApiScopes</c>.</summary>
public static class StoreApiScopes
{
    /// <summary>Push held records (POST /api/v1/records).</summary>
    public const string RecordsWrite = "store.records.write";

    /// <summary>Read marketing permissions and the suppression list.</summary>
    public const string MarketingRead = "store.marketing.read";

    /// <summary>Read and acknowledge Art. 19 tasks.</summary>
    public const string Tasks = "store.tasks";

    /// <summary>Read a person's cookie-consent choice.</summary>
    public const string CookieConsentRead = "store.cookie-consent.read";

    /// <summary>Pass on a marketing stop the store received (POST /api/v1/people/{sub}/marketing-stops, /api/v1/marketing-stops).</summary>
    public const string MarketingWrite = "store.marketing.write";

    public static readonly IReadOnlyList<string> All = [RecordsWrite, MarketingRead, Tasks, CookieConsentRead, MarketingWrite];
}
