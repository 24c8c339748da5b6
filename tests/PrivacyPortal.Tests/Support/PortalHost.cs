using System.Collections.Concurrent;
using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Support;

/// <summary>
/// The portal with demo data on a real SQLite file, mail delivered over SMTP to a real server, the
/// clock at a chosen moment, and helpers to sign in as a person (magic link) or as staff (magic link
/// and authenticator code), and to read the database, the outbox and the delivered mail.
/// </summary>
public sealed class PortalHost : IDisposable
{
    /// <summary>A Monday late in 2026: Kari's INNORE AS orders of 2021 are still kept (until 2026-12-31).</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public const string Kari = "kari.nordmann@example.no";
    public const string Mari = "mari.maasikas@example.ee";
    public const string Ola = "ola.hansen@bygg.example.no";
    public const string Support = "support@innore.example";
    public const string Dpo = "dpo@innore.example";

    private readonly ConcurrentDictionary<string, bool> usedMails = new(StringComparer.Ordinal);

    public PortalHost(DateTimeOffset? now = null, Action<PortalAppFactory>? configure = null)
    {
        Smtp = new SmtpTestServer();
        Factory = new PortalAppFactory(Smtp)
            .With("Auth:MaxLinksPerAddressPerHour", "100")
            .With("Auth:MaxLinksPerIpPer10Minutes", "10000");
        try
        {
            configure?.Invoke(Factory);
            Factory.Clock.SetUtcNow(now ?? DefaultNow);
            Factory.Start();
        }
        catch
        {
            // A host that fails to start (a test of bad configuration) is never disposed by its caller.
            Factory.Dispose();
            Smtp.Dispose();
            throw;
        }
    }

    public PortalAppFactory Factory { get; }

    public SmtpTestServer Smtp { get; }

    public CookieAwareClient Anonymous() => Factory.CreateCookieAwareClient();

    /// <summary>Signs in with the emailed link, as a person would, and returns the client holding the session.</summary>
    public async Task<CookieAwareClient> SignInAsync(string email, string culture = "en", string? returnUrl = null)
    {
        var client = Factory.CreateCookieAwareClient();
        await SignInWithLinkAsync(client, email, culture, returnUrl);
        return client;
    }

    /// <summary>
    /// Staff: magic link, then the authenticator code; at the first sign-in through an enrolment
    /// invitation (as if the privacy officer had sent one: <see cref="InviteAsync"/>).
    /// </summary>
    public async Task<CookieAwareClient> StaffAsync(string email)
    {
        var client = await SignInLinkOnlyStaffAsync(email);
        var enrolled = await DbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync());
        var url = "/staff/second-factor?returnUrl=%2Fstaff" + (enrolled ? "" : "&invitation=" + await InviteAsync(email));
        using var page = await client.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var key = await AuthenticatorKeyAsync(email);
        var document = await CookieAwareClient.ParsePageAsync(page);
        var form = HtmlForm.From(client, document, "#second-factor-form");
        form.Set("Code", Totp.NextCode(key, Factory.Clock.GetUtcNow()));
        using var verified = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        Assert.Equal("/staff", verified.Headers.Location!.OriginalString);
        return client;
    }

    /// <summary>A staff member signed in with the magic link only (no second factor yet).</summary>
    public async Task<CookieAwareClient> SignInLinkOnlyStaffAsync(string email)
    {
        var client = Factory.CreateCookieAwareClient();
        await SignInWithLinkAsync(client, email, "en", "/staff/second-factor?returnUrl=%2Fstaff");
        return client;
    }

    /// <summary>An enrolment invitation for <paramref name="email"/>, valid for a day; returns the token of its link.</summary>
    public Task<string> InviteAsync(string email) => StaffEnrolment.InviteAsync(Factory, email);

    public async Task<string> AuthenticatorKeyAsync(string email)
    {
        using var scope = Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email);
        return await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key for " + email);
    }

    public async Task<T> DbAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        using var scope = Factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    public Task DbAsync(Func<PortalDbContext, Task> action) => DbAsync(async db =>
    {
        await action(db);
        return 0;
    });

    public Task<Guid> UserIdAsync(string email)
    {
        var normalized = email.ToUpperInvariant();
        return DbAsync(db => db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync());
    }

    /// <summary>The emails queued to an address (newest last), excluding sign-in mails.</summary>
    public Task<List<OutboxMessage>> MailsToAsync(string email) =>
        DbAsync(db => db.Outbox.AsNoTracking().Where(m => m.To == email && !m.Kind.StartsWith("sign-in")).OrderBy(m => m.CreatedAt).ToListAsync());

    /// <summary>The next mail delivered to <paramref name="email"/> over SMTP that this host has not handed out before.</summary>
    public async Task<ReceivedMail> NextMailAsync(string email, Func<ReceivedMail, bool>? match = null)
    {
        var mail = await Smtp.WaitForMailAsync(email, m => !usedMails.ContainsKey(m.FilePath ?? m.ToString()) && (match is null || match(m)), TimeSpan.FromSeconds(20));
        usedMails[mail.FilePath ?? mail.ToString()] = true;
        return mail;
    }

    /// <summary>GETs a page and returns the form matching the selector, ready to fill in.</summary>
    public static async Task<HtmlForm> FormAsync(CookieAwareClient client, string url, string selector = "main form")
    {
        var page = await client.GetPageAsync(url);
        return HtmlForm.From(client, page, selector);
    }

    public static async Task<IDocument> FollowAsync(CookieAwareClient client, HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var next = await client.FollowRedirectAsync(response);
        return await CookieAwareClient.ParsePageAsync(next);
    }

    public void Dispose()
    {
        Factory.Dispose();
        Smtp.Dispose();
    }

    private async Task SignInWithLinkAsync(CookieAwareClient client, string email, string culture, string? returnUrl)
    {
        var url = $"/{culture}/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var form = await FormAsync(client, url, "main form[method=post]");
        form.Set("Input.Email", email);
        using (var sent = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var mail = await NextMailAsync(email, m => m.TryFindLink("/login/confirm") is not null);
        var confirm = await FormAsync(client, mail.FindLink("/login/confirm").PathAndQuery, "main form[method=post]");
        using var signedIn = await confirm.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }
}
