using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Pages.Dev.Mailbox;

/// <summary>
/// Development only (see <c>AddDevelopmentOnlyFolder</c>): the mails the portal wrote, newest first,
/// read from the outbox, so a newcomer can sign in without a mail server.
/// </summary>
public sealed class IndexModel(PortalDbContext db) : PageModel
{
    public const int Shown = 200;

    public IReadOnlyList<MailRow> Mails { get; private set; } = [];

    public int Total { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Total = await db.Outbox.CountAsync(cancellationToken);
        Mails = await db.Outbox.AsNoTracking()
            .OrderByDescending(m => m.CreatedAt)
            .Take(Shown)
            .Select(m => new MailRow(m.Id, m.To, m.Subject, m.Kind, m.Status, m.CreatedAt, m.Attempts, m.LastError))
            .ToListAsync(cancellationToken);
    }

    public sealed record MailRow(
        Guid Id, string To, string Subject, string Kind, OutboxStatus Status, DateTimeOffset CreatedAt, int Attempts, string? LastError);
}
