using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

/// <summary>Once a day, emails every staff member the open requests that are overdue or due within three days.</summary>
public sealed class StaffSummaryJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<JobOptions> options, ILogger<StaffSummaryJob> logger)
    : DailyJob(scopes, time, options, logger)
{
    public const int DueSoonDays = 3;

    public override string Name => "requests.staff-summary";

    protected override async Task RunAsync(IServiceProvider services, DateOnly today, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PortalDbContext>();
        var limit = today.AddDays(DueSoonDays);
        var open = new[] { RequestStatus.Received, RequestStatus.InProgress, RequestStatus.AwaitingPerson };
        var due = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => open.Contains(r.Status) && r.DueOn <= limit)
            .OrderBy(r => r.DueOn).ThenBy(r => r.ReceivedAt)
            .Select(r => new { r.Id, r.Reference, r.Kind, r.DueOn })
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return;
        }

        var staff = await services.GetRequiredService<StaffDirectory>().AllAsync(cancellationToken);
        var outbox = services.GetRequiredService<Outbox>();
        var footer = services.GetRequiredService<EmailFooter>();
        var portal = services.GetRequiredService<IOptions<PortalOptions>>().Value;
        var text = services.GetRequiredService<IStringLocalizer<Localization.Staff>>();
        var requestText = services.GetRequiredService<IStringLocalizer<Localization.Requests>>();
        var cultures = await db.Users.AsNoTracking()
            .Where(u => u.Kind == AccountKind.Staff)
            .ToDictionaryAsync(u => u.Id, u => u.PreferredCulture, cancellationToken);
        foreach (var member in staff)
        {
            var name = cultures.GetValueOrDefault(member.Id) is { } c && PortalCultures.IsSupported(c) ? c : PortalCultures.Default;
            var culture = CultureInfo.GetCultureInfo(name);
            using var scope = new CultureScope(culture);
            var overdue = due.Count(r => r.DueOn < today);
            var lines = due.Select(r =>
                (string)(r.DueOn < today
                    ? text["Summary.LineOverdue", r.Reference, requestText["Kind." + r.Kind], RequestTexts.Date(r.DueOn, culture)]
                    : text["Summary.Line", r.Reference, requestText["Kind." + r.Kind], RequestTexts.Date(r.DueOn, culture)]));
            var content = EmailComposer.Compose(new EmailDraft(
                culture,
                text["Summary.Subject", due.Count, overdue],
                text["Summary.Heading"],
                [text["Summary.Intro", DueSoonDays], .. lines],
                footer.Lines())
            {
                Action = new EmailAction(portal.Link("/staff?due=soon"), text["Summary.Open"]),
            });
            outbox.Enqueue(member.Email, content, "staff-summary");
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
