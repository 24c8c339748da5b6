using System.Collections.Concurrent;
using System.Net;
using AngleSharp.Dom;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Support;

/// <summary>
/// A portal with demo data whose mails go over SMTP to a real server, shared by the tests of a
/// class. Rate limits are raised so tests in one class do not throttle each other; the limits
/// themselves are tested on their own portal.
/// </summary>
public sealed class PortalWithMail : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _usedMails = new();

    public PortalWithMail()
    {
        Smtp = new SmtpTestServer();
        App = new PortalAppFactory(Smtp)
            .With("Auth:MaxLinksPerAddressPerHour", "100")
            .With("Auth:MaxLinksPerIpPer10Minutes", "10000")
            // As in production: delivered sign-in mails are wiped from the outbox.
            .With("Email:KeepSecretsAfterSending", "false")
            .Start();
    }

    public SmtpTestServer Smtp { get; }

    public PortalAppFactory App { get; }

    public CookieAwareClient NewClient() => App.CreateCookieAwareClient();

    /// <summary>Asks for a sign-in link in the given culture; returns the "check your email" page.</summary>
    public static async Task<IDocument> RequestLinkAsync(CookieAwareClient client, string email, string culture = "en", string? returnUrl = null)
    {
        var url = $"/{culture}/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var form = await HtmlForm.LoadAsync(client, url, "main form[method=post]");
        var response = await form.Set("Input.Email", email).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await CookieAwareClient.ParsePageAsync(response);
    }

    /// <summary>The next mail to <paramref name="email"/> this fixture has not handed out before.</summary>
    public async Task<ReceivedMail> NextMailAsync(string email, TimeSpan? timeout = null)
    {
        var mail = await Smtp.WaitForMailAsync(email, m => !_usedMails.ContainsKey(m.FilePath ?? m.ToString()), timeout);
        _usedMails[mail.FilePath ?? mail.ToString()] = true;
        return mail;
    }

    /// <summary>Opens the emailed link and presses the button, as a person does.</summary>
    public static async Task<HttpResponseMessage> ConfirmAsync(CookieAwareClient client, ReceivedMail mail)
    {
        var link = mail.FindLink("/login/confirm");
        var form = await HtmlForm.LoadAsync(client, link.PathAndQuery, "main form[method=post]");
        return await form.SubmitAsync();
    }

    /// <summary>Signs <paramref name="email"/> in on a new client through the full mail journey.</summary>
    public async Task<CookieAwareClient> SignInAsync(string email, string culture = "en")
    {
        var client = NewClient();
        await RequestLinkAsync(client, email, culture);
        var response = await ConfirmAsync(client, await NextMailAsync(email));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public void Dispose()
    {
        App.Dispose();
        Smtp.Dispose();
    }
}
