using System.Collections.Concurrent;
using System.Net;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// Two portal instances on two Kestrel ports, as behind a load balancer: one PostgreSQL database,
/// one SMTP server, nothing else in common (each has its own service provider, Data Protection key
/// cache, rate limiter, outbox dispatcher and clock). A seeds the demo people; B starts once A is up.
/// </summary>
public sealed class TwoPortals : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _usedMails = new();

    /// <summary>The one address people and stores use, as behind a load balancer: links and the OIDC issuer come from it.</summary>
    public const string PublicBaseUrl = "https://privacy.example.test";

    public TwoPortals()
    {
        Database = new PostgresTestDatabase();
        Smtp = new SmtpTestServer();
        A = Create(Database, Smtp, seed: true).With("Portal:PublicBaseUrl", PublicBaseUrl).Start();
        B = Create(Database, Smtp, seed: false).With("Portal:PublicBaseUrl", PublicBaseUrl).Start();
    }

    public PostgresTestDatabase Database { get; }

    public SmtpTestServer Smtp { get; }

    public PortalAppFactory A { get; }

    public PortalAppFactory B { get; }

    /// <summary>An instance on <paramref name="database"/> with the limits raised so the tests of a class do not throttle each other.</summary>
    public static PortalAppFactory Create(PostgresTestDatabase database, SmtpTestServer? smtp, bool seed) =>
        new PortalAppFactory(smtp, useKestrel: true)
            .WithPostgres(database)
            .With("Portal:SeedDemoData", seed ? "true" : "false")
            .With("Auth:MaxLinksPerAddressPerHour", "100")
            .With("Auth:MaxLinksPerIpPer10Minutes", "10000")
            .With("Email:KeepSecretsAfterSending", "false");

    /// <summary>A client with one cookie jar for both instances: they share a host name, and cookies do not care about ports.</summary>
    public CookieAwareClient NewClient() => CookieAwareClient.ForServer(A.ServerAddress);

    public static string On(PortalAppFactory instance, string path) => new Uri(instance.ServerAddress, path).ToString();

    /// <summary>The next mail to <paramref name="email"/> not handed out before.</summary>
    public async Task<ReceivedMail> NextMailAsync(string email)
    {
        var mail = await Smtp.WaitForMailAsync(email, m => !_usedMails.ContainsKey(m.FilePath ?? m.ToString()));
        _usedMails[mail.FilePath ?? mail.ToString()] = true;
        return mail;
    }

    /// <summary>Asks <paramref name="requestOn"/> for a link and confirms it on <paramref name="confirmOn"/>.</summary>
    public async Task<CookieAwareClient> SignInAsync(string email, PortalAppFactory requestOn, PortalAppFactory confirmOn)
    {
        ArgumentNullException.ThrowIfNull(requestOn);
        ArgumentNullException.ThrowIfNull(confirmOn);
        var client = NewClient();
        var login = await HtmlForm.LoadAsync(client, On(requestOn, "/en/login"), "main form[method=post]");
        Assert.Equal(HttpStatusCode.OK, (await login.Set("Input.Email", email).SubmitAsync()).StatusCode);
        var link = (await NextMailAsync(email)).FindLink("/login/confirm");
        var confirm = await HtmlForm.LoadAsync(client, On(confirmOn, link.PathAndQuery), "main form[method=post]");
        var signedIn = await confirm.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }

    /// <summary>Signs <paramref name="email"/> in on <paramref name="app"/> through its mail on <paramref name="smtp"/>, with a new client or the one given.</summary>
    public static async Task<CookieAwareClient> SignInOnAsync(PortalAppFactory app, SmtpTestServer smtp, string email, CookieAwareClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(smtp);
        client ??= CookieAwareClient.ForServer(app.ServerAddress);
        var seen = smtp.All.Where(m => m.IsAddressedTo(email)).Select(m => m.FilePath).ToHashSet();
        var login = await HtmlForm.LoadAsync(client, On(app, "/en/login"), "main form[method=post]");
        Assert.Equal(HttpStatusCode.OK, (await login.Set("Input.Email", email).SubmitAsync()).StatusCode);
        var mail = await smtp.WaitForMailAsync(email, m => !seen.Contains(m.FilePath));
        var confirm = await HtmlForm.LoadAsync(client, On(app, mail.FindLink("/login/confirm").PathAndQuery), "main form[method=post]");
        Assert.Equal(HttpStatusCode.Redirect, (await confirm.SubmitAsync()).StatusCode);
        return client;
    }

    public void Dispose()
    {
        B.Dispose();
        A.Dispose();
        Smtp.Dispose();
        Database.Dispose();
    }
}
