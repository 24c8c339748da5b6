using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Impersonation;

public enum StartStatus
{
    Started,

    /// <summary>An Admin switched the feature off.</summary>
    FeatureOff,

    /// <summary>Not a Support or PrivacyOfficer member with both factors.</summary>
    NotAllowed,

    /// <summary>The account is staff: staff never view as other staff.</summary>
    StaffTarget,
    NotFound,

    /// <summary>The staff member already views as a customer (here or in another browser).</summary>
    AlreadyImpersonating,
    InvalidInput,
}

public sealed record StartResult(StartStatus Status, Guid? ImpersonationId = null);

/// <summary>
/// Starts a read-only "view as customer": a session row, an audit line, by default an email to the
/// customer (all in one commit), then a second cookie holding the impersonation principal. The
/// staff member's own cookie and session stay as they are, so stopping returns them to it.
/// </summary>
public sealed class StartImpersonationCommand(
    PortalDbContext db,
    StaffDirectory directory,
    StaffAudit audit,
    ImpersonationSwitch featureSwitch,
    Outbox outbox,
    EmailFooter footer,
    TimeProvider time,
    Infrastructure.Time.TimeZones zones,
    IOptions<ImpersonationOptions> options,
    IOptions<PortalOptions> portal,
    IStringLocalizer<Localization.Impersonation> text,
    IHttpContextAccessor accessor)
{
    public const string StartedAction = "impersonation.started";
    public const string StartRefusedAction = "impersonation.start-refused";

    public async Task<StartResult> ExecuteAsync(Guid customerId, string? reason, string? ticket, CancellationToken cancellationToken)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("Starting an impersonation needs an HTTP request.");
        var staffPrincipal = context.User;
        reason = reason?.Trim();
        ticket = ticket?.Trim();
        if (staffPrincipal.IsImpersonating())
        {
            return await RefusedAsync(StartStatus.AlreadyImpersonating, staffPrincipal.ActorIdOf(), customerId, reason, ticket, cancellationToken);
        }

        if (!await featureSwitch.IsEnabledAsync(cancellationToken))
        {
            return await RefusedAsync(StartStatus.FeatureOff, staffPrincipal.SubjectId(), customerId, reason, ticket, cancellationToken);
        }

        var staff = await directory.FindAsync(staffPrincipal, cancellationToken);
        var staffSession = staffPrincipal.SessionIdOf();
        if (staff is null || staffSession is null || !StaffSecondFactor.IsCompleted(staffPrincipal)
            || !staff.Roles.Any(r => r is StaffRoles.Support or StaffRoles.PrivacyOfficer))
        {
            return await RefusedAsync(StartStatus.NotAllowed, staff?.Id ?? staffPrincipal.SubjectId(), customerId, reason, ticket, cancellationToken);
        }

        if (string.IsNullOrEmpty(reason) || reason.Length > ImpersonationSession.ReasonMaxLength
            || string.IsNullOrEmpty(ticket) || ticket.Length > ImpersonationSession.TicketMaxLength)
        {
            return new StartResult(StartStatus.InvalidInput);
        }

        var customer = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == customerId, cancellationToken);
        if (customer is null)
        {
            return new StartResult(StartStatus.NotFound);
        }

        if (customer.Kind == AccountKind.Staff || await directory.FindAsync(customer.Id, cancellationToken) is not null)
        {
            return await RefusedAsync(StartStatus.StaffTarget, staff.Id, customerId, reason, ticket, cancellationToken);
        }

        var now = time.GetUtcNow();
        // A view that ran out while nobody was looking still counts as open for the unique index
        // below: end it now, as the next request under it would have.
        var lapsed = await db.Set<ImpersonationSession>().AsNoTracking()
            .Where(s => s.StaffId == staff.Id && s.EndedAt == null && s.ExpiresAt <= now)
            .ToListAsync(cancellationToken);
        foreach (var row in lapsed)
        {
            await StopImpersonationCommand.EndAsync(db, audit, row, row.ExpiresAt, ImpersonationEnd.Expired, cancellationToken);
        }

        if (await db.Set<ImpersonationSession>().AnyAsync(s => s.StaffId == staff.Id && s.EndedAt == null, cancellationToken))
        {
            return await RefusedAsync(StartStatus.AlreadyImpersonating, staff.Id, customerId, reason, ticket, cancellationToken);
        }

        var session = new ImpersonationSession
        {
            Id = Guid.NewGuid(),
            StaffId = staff.Id,
            StaffName = staff.Name,
            StaffSessionId = staffSession.Value,
            CustomerId = customer.Id,
            Reason = reason,
            Ticket = ticket,
            StartedAt = now,
            ExpiresAt = now + options.Value.MaxDuration,
        };
        db.Add(session);
        audit.Add(StartedAction, customer.Id, $"imp={session.Id} ticket={ticket} until={session.ExpiresAt:O} reason={reason}", staff.Id);
        if (options.Value.NotifyCustomer && !string.IsNullOrEmpty(customer.Email))
        {
            QueueEmail(customer, session, await Infrastructure.Time.PersonTime.OfSubjectAsync(db, zones, customer.Id, cancellationToken));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // The same staff member started another view at the same moment (two tabs, a double
            // click): the one open view per staff member the index allows is that one.
            db.ChangeTracker.Clear();
            return await RefusedAsync(StartStatus.AlreadyImpersonating, staff.Id, customerId, reason, ticket, cancellationToken);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, customer.Id.ToString()),
                new Claim(ClaimTypes.Name, customer.DisplayName),
                new Claim(ClaimTypes.Email, customer.Email ?? ""),
                new Claim(ImpersonationClaims.Impersonation, session.Id.ToString()),
                new Claim(ImpersonationClaims.Actor, staff.Id.ToString()),
                new Claim(ImpersonationClaims.ActorSessionId, staffSession.Value.ToString()),
                new Claim(ImpersonationClaims.ActorCulture, CultureInfo.CurrentUICulture.Name),
                new Claim(PortalClaims.AuthenticationMethod, ImpersonationClaims.Method),
                new Claim(PortalClaims.AuthTime, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ],
            ImpersonationRegistration.Scheme);
        await context.SignInAsync(ImpersonationRegistration.Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = false,
            IssuedUtc = now,
            ExpiresUtc = session.ExpiresAt,
        });
        return new StartResult(StartStatus.Started, session.Id);
    }

    /// <summary>A refused start is audited under whoever tried, with why it was refused, the target and the reason they gave.</summary>
    private async Task<StartResult> RefusedAsync(StartStatus status, Guid? staffId, Guid customerId, string? reason, string? ticket, CancellationToken cancellationToken)
    {
        audit.Add(StartRefusedAction, customerId, $"refused={status} target={customerId} ticket={ticket} reason={reason}", staffId);
        await db.SaveChangesAsync(cancellationToken);

        return new StartResult(status);
    }

    private void QueueEmail(DataSubject customer, ImpersonationSession session, TimeZoneInfo zone)
    {
        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(customer.PreferredCulture) ? customer.PreferredCulture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var who = ImpersonationTexts.StaffAs(session.StaffName, options.Value.ShowStaffAs);
        var minutes = (int)options.Value.MaxDuration.TotalMinutes;
        var content = EmailComposer.Compose(new EmailDraft(
            culture,
            text["Email.Subject"],
            text["Email.Heading"],
            [
                text["Email.Body", who, ImpersonationTexts.Moment(session.StartedAt, zone, culture), minutes],
                text["Email.Reason", session.Reason, session.Ticket],
                text["Email.ReadOnly"],
            ],
            footer.Lines())
        {
            Action = new EmailAction(portal.Value.Link($"/{culture.Name}/my-data#staff-access"), text["Email.Button"]),
            Closing = [text["Email.NotExpected", footer.ContactEmail()]],
        });
        outbox.Enqueue(customer.Email!, content, "impersonation-started");
    }
}
