using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Support;

/// <summary>
/// Signs a browser-like client in the way a person does: the email form, then the link from the
/// mail (read from the outbox table, which the app writes in the same transaction as the sign-in
/// attempt), then the confirmation button.
/// </summary>
public static partial class PortalTestSession
{
    public const string Kari = "kari.nordmann@example.no";
    public const string Mari = "mari.maasikas@example.ee";
    public const string Ola = "ola.hansen@bygg.example.no";
    public const string SupportStaff = "support@innore.example";

    /// <returns>Where the confirmation sent the browser (the return URL, or my-data).</returns>
    /// <summary>
    /// The demo data's own history (Kari's newsletter, Mari's consent and cookie choice) is dated
    /// before any test clock starts; a test counting what it wrote looks at rows from here on.
    /// </summary>
    public static readonly DateTimeOffset TestStart = PrivacyPortal.Testing.Time.ManualTimeProvider.DefaultStart;

    public static async Task<string> SignInAsync(PortalAppFactory factory, CookieAwareClient client, string email, string culture = "en", string? returnUrl = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(client);
        // Each attempt gets its own timestamp, so "the latest mail" is this one's.
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var loginUrl = $"/{culture}/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var form = await HtmlForm.LoadAsync(client, loginUrl, "main form");
        form.Set("Input.Email", email);
        using (var sent = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var link = await LatestSignInLinkAsync(factory, email);
        var confirm = await HtmlForm.LoadAsync(client, link.PathAndQuery, "main form");
        using var signedIn = await confirm.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.Location!.OriginalString;
    }

    public static async Task<Guid> SubjectIdAsync(PortalAppFactory factory, string email)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var normalized = email.ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync();
    }

    /// <summary>Runs a query against the app's database in a scope of its own.</summary>
    public static async Task<T> QueryAsync<T>(PortalAppFactory factory, Func<PortalDbContext, Task<T>> query)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    /// <summary>Runs code with services of a request-like scope of the app.</summary>
    public static async Task<T> WithScopeAsync<T>(PortalAppFactory factory, Func<IServiceProvider, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private static async Task<Uri> LatestSignInLinkAsync(PortalAppFactory factory, string email)
    {
        var body = await QueryAsync(factory, db => db.Outbox.AsNoTracking()
            .Where(m => m.To == email && m.Kind == "sign-in")
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => m.TextBody)
            .FirstAsync());
        var match = ConfirmLink().Match(body);
        Assert.True(match.Success, "The sign-in mail has no confirmation link:\n" + body);
        return new Uri(match.Value);
    }

    [GeneratedRegex(@"https?://\S+/login/confirm\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
