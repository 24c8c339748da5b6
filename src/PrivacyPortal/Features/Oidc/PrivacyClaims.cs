using System.Text.Json;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// What the <c>privacy</c> scope tells a store about a person: their cookie-consent choice with
/// the policy revision it was given under, and their marketing permissions at the store's company.
/// The preferences feature owns that data; it replaces <see cref="NoPrivacyClaims"/> with a real source.
/// </summary>
public interface IPrivacyClaimsSource
{
    /// <param name="controllerId">The store's company: a store sees only its own company's permissions.</param>
    Task<PrivacyClaims> GetAsync(Guid subjectId, string controllerId, CancellationToken cancellationToken);
}

/// <param name="CookieConsent">Null when the person has made no choice (or none is known yet).</param>
/// <param name="Marketing">Keyed by controller id.</param>
public sealed record PrivacyClaims(
    string PolicyRevision,
    CookieConsentChoice? CookieConsent,
    IReadOnlyDictionary<string, MarketingPermissions> Marketing);

/// <param name="Categories">Cookie category ids of the policy that the person accepted.</param>
public sealed record CookieConsentChoice(string PolicyRevision, IReadOnlyList<string> Categories, DateTimeOffset GivenAt);

/// <param name="Newsletter">Subscribed to the company's newsletter.</param>
/// <param name="ObjectedChannels">Direct-marketing channels objected to (Art. 21(3)): never market on these.</param>
/// <param name="Consents">Consent ids of the policy the person has given and not withdrawn.</param>
public sealed record MarketingPermissions(bool Newsletter, IReadOnlyList<string> ObjectedChannels, IReadOnlyList<string> Consents);

/// <summary>Until the preferences tables are wired in: the policy revision, and no choices known.</summary>
internal sealed class NoPrivacyClaims(Policy.PolicyCatalog policy) : IPrivacyClaimsSource
{
    public Task<PrivacyClaims> GetAsync(Guid subjectId, string controllerId, CancellationToken cancellationToken) =>
        Task.FromResult(new PrivacyClaims(policy.Revision, null, new Dictionary<string, MarketingPermissions>()));
}

internal static class PrivacyClaimsJson
{
    public static void Write(Utf8JsonWriter json, PrivacyClaims claims)
    {
        json.WriteStartObject("privacy");
        json.WriteString("policy_revision", claims.PolicyRevision);
        if (claims.CookieConsent is { } consent)
        {
            json.WriteStartObject("cookie_consent");
            json.WriteString("policy_revision", consent.PolicyRevision);
            json.WriteString("given_at", consent.GivenAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            WriteArray(json, "categories", consent.Categories);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("cookie_consent");
        }

        json.WriteStartObject("marketing");
        foreach (var (controller, permissions) in claims.Marketing)
        {
            json.WriteStartObject(controller);
            json.WriteBoolean("newsletter", permissions.Newsletter);
            WriteArray(json, "objected_channels", permissions.ObjectedChannels);
            WriteArray(json, "consents", permissions.Consents);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
