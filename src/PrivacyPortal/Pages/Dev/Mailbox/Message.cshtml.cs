using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;

namespace PrivacyPortal.Pages.Dev.Mailbox;

/// <summary>
/// One mail of the development mailbox: its plain text, and its HTML in a sandboxed frame served by
/// <see cref="OnGetHtmlAsync"/> under a policy of its own.
/// </summary>
public sealed class MessageModel(PortalDbContext db, IOptions<EmailOptions> options) : PageModel
{
    /// <summary>
    /// No scripts, nothing fetched but inline styles and images of our own, no forms; framable only by
    /// this site. The sandbox (here and on the iframe) lets a click on a link replace the whole tab.
    /// </summary>
    public const string HtmlContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";

    public const string FrameSandbox = "allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";

    public OutboxMessage Mail { get; private set; } = null!;

    public string From => options.Value.From;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var mail = await Find(id, cancellationToken);
        if (mail is null)
        {
            return NotFound();
        }

        Mail = mail;
        return Page();
    }

    public async Task<IActionResult> OnGetHtmlAsync(Guid id, CancellationToken cancellationToken)
    {
        var mail = await Find(id, cancellationToken);
        if (mail is null)
        {
            return NotFound();
        }

        Response.Headers.ContentSecurityPolicy = HtmlContentSecurityPolicy;
        Response.Headers.XFrameOptions = "SAMEORIGIN";
        Response.Headers.CacheControl = "no-store";
        return Content(WithTopTarget(mail.HtmlBody), "text/html; charset=utf-8");
    }

    /// <summary>Links in the mail open in the tab, not inside the little frame.</summary>
    internal static string WithTopTarget(string html)
    {
        const string Base = "<base target=\"_top\">";
        var head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        return head >= 0 ? html.Insert(head + "<head>".Length, Base) : Base + html;
    }

    private Task<OutboxMessage?> Find(Guid id, CancellationToken cancellationToken) =>
        db.Outbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
}
