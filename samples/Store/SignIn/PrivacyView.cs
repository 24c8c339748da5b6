using System.Globalization;
using System.Security.Claims;
using System.Text.Json;

namespace SampleStore.SignIn;

/// <summary>The <c>privacy</c> claim (docs/oidc.md) read into what a store page needs.</summary>
public sealed record PrivacyView(
    string? PolicyRevision,
    CookieChoice? Cookies,
    IReadOnlyList<CompanyMarketing> Marketing)
{
    public static PrivacyView? From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirst(PortalClaims.Privacy)?.Value is not { Length: > 0 } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        CookieChoice? cookies = null;
        if (root.TryGetProperty("cookie_consent", out var consent) && consent.ValueKind == JsonValueKind.Object)
        {
            cookies = new CookieChoice(
                Text(consent, "policy_revision"),
                Strings(consent, "categories"),
                DateTimeOffset.TryParse(Text(consent, "given_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var given) ? given : null);
        }

        var marketing = new List<CompanyMarketing>();
        if (root.TryGetProperty("marketing", out var companies) && companies.ValueKind == JsonValueKind.Object)
        {
            foreach (var company in companies.EnumerateObject())
            {
                marketing.Add(new CompanyMarketing(
                    company.Name,
                    company.Value.TryGetProperty("newsletter", out var newsletter) && newsletter.ValueKind == JsonValueKind.True,
                    Strings(company.Value, "objected_channels"),
                    Strings(company.Value, "consents")));
            }
        }

        return new PrivacyView(Text(root, "policy_revision"), cookies, marketing);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}

/// <param name="Categories">Cookie categories the person accepted; only these may be set (strictly necessary ones need no consent).</param>
public sealed record CookieChoice(string? PolicyRevision, IReadOnlyList<string> Categories, DateTimeOffset? GivenAt);

/// <param name="ObjectedChannels">Never market on these (Art. 21(3)).</param>
public sealed record CompanyMarketing(string Company, bool Newsletter, IReadOnlyList<string> ObjectedChannels, IReadOnlyList<string> Consents);
