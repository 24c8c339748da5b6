using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// One-time invitations to enrol an authenticator: a 256-bit token mailed to the staff member, only
/// its hash stored, valid for <see cref="SecondFactorOptions.InvitationLifetime"/>, used once. Without
/// one, a staff account signed in with the magic link cannot set up a second factor, so a stolen
/// mailbox alone does not make a staff member.
/// </summary>
public sealed class StaffInvitations(
    PortalDbContext db,
    Outbox outbox,
    EmailFooter footer,
    IOptions<PortalOptions> portal,
    IOptions<SecondFactorOptions> options,
    IStringLocalizer<Localization.Staff> text,
    TimeProvider time)
{
    public const string InvitationParameter = "invitation";

    /// <summary>The invitation <paramref name="token"/> opens for <paramref name="userId"/>, if it is unused and in time.</summary>
    public async Task<StaffInvitation?> FindValidAsync(Guid userId, string? token, CancellationToken cancellationToken)
    {
        if (!MagicLinkSecrets.LooksLikeToken(token))
        {
            return null;
        }

        var hash = MagicLinkSecrets.HashToken(token!);
        var now = time.GetUtcNow();
        return await db.Set<StaffInvitation>().AsNoTracking()
            .FirstOrDefaultAsync(i => i.TokenHash == hash && i.UserId == userId && i.UsedAt == null && i.ExpiresAt > now, cancellationToken);
    }

    /// <summary>Marks the invitation used; false when another request used it first.</summary>
    public async Task<bool> UseAsync(Guid invitationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Set<StaffInvitation>()
            .Where(i => i.Id == invitationId && i.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now), cancellationToken) == 1;
    }

    /// <summary>
    /// Adds an invitation for <paramref name="member"/> and its mail to the unit of work (the caller
    /// saves both), ending the member's earlier unused invitations. Returns the token.
    /// </summary>
    public async Task<string> AddAsync(DataSubject member, Guid? createdBy, string createdByName, bool afterReset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(member);
        var now = time.GetUtcNow();
        await db.Set<StaffInvitation>().Where(i => i.UserId == member.Id && i.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, now), cancellationToken);
        var token = MagicLinkSecrets.NewToken();
        var lifetime = options.Value.InvitationLifetime;
        db.Set<StaffInvitation>().Add(new StaffInvitation
        {
            Id = Guid.NewGuid(),
            UserId = member.Id,
            TokenHash = MagicLinkSecrets.HashToken(token),
            CreatedBy = createdBy,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });

        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(member.PreferredCulture) ? member.PreferredCulture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var prefix = afterReset ? "Reset" : "Invitation";
        var hours = (int)Math.Round(lifetime.TotalHours);
        var content = EmailComposer.Compose(new EmailDraft(
            culture,
            text[prefix + ".Subject"],
            text[prefix + ".Heading"],
            [text[prefix + ".Intro", createdByName], text["Invitation.Validity", hours]],
            footer.Lines())
        {
            Action = new EmailAction(portal.Value.Link($"{StaffRegistration.SecondFactorPath}?{InvitationParameter}={token}"), text["Invitation.Open"]),
            Closing = afterReset ? [text["Reset.NotExpected"]] : [],
        });
        outbox.Enqueue(member.Email!, content, afterReset ? "staff-authenticator-reset" : "staff-invitation", containsSecret: true);
        return token;
    }
}

/// <summary>
/// The privacy officer or an admin invites a new staff member (an account with a staff role and no
/// authenticator yet) or invites an existing one again who has not enrolled.
/// </summary>
public sealed class InviteStaffMemberCommand(
    UserManager<DataSubject> users,
    PortalDbContext db,
    StaffInvitations invitations,
    StaffAudit audit,
    StaffDirectory directory,
    IStringLocalizer<Localization.Staff> text,
    TimeProvider time)
{
    public enum Outcome
    {
        Invited,
        InvalidEmail,
        InvalidRole,
        NotStaffAccount,
        AlreadyEnrolled,
    }

    /// <param name="actorId">The inviting staff member; null for the operator's command line (<see cref="StaffCommandLine"/>).</param>
    public async Task<Outcome> ExecuteAsync(Guid? actorId, string? email, string? name, string? role, CancellationToken cancellationToken)
    {
        if (!EmailAddress.TryNormalize(email, out var address))
        {
            return Outcome.InvalidEmail;
        }

        if (role is null || !StaffRoles.All.Contains(role))
        {
            return Outcome.InvalidRole;
        }

        var member = await users.FindByEmailAsync(address);
        if (member is not null && member.Kind != AccountKind.Staff)
        {
            // A customer's address cannot be turned into a staff account here.
            return Outcome.NotStaffAccount;
        }

        if (member is not null && await users.GetTwoFactorEnabledAsync(member))
        {
            return Outcome.AlreadyEnrolled;
        }

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (member is null)
            {
                member = new DataSubject
                {
                    Id = Guid.NewGuid(),
                    UserName = address,
                    Email = address,
                    EmailConfirmed = true,
                    DisplayName = string.IsNullOrWhiteSpace(name) ? address : name.Trim()[..Math.Min(name.Trim().Length, 200)],
                    Kind = AccountKind.Staff,
                    PreferredCulture = PortalCultures.Default,
                    CreatedAt = time.GetUtcNow(),
                };
                Check(await users.CreateAsync(member));
            }

            if (!await users.IsInRoleAsync(member, role))
            {
                Check(await users.AddToRoleAsync(member, role));
            }

            var inviter = actorId is { } staffId ? (await directory.FindAsync(staffId, cancellationToken))?.Name ?? "" : text["Invitation.Operator"];
            await invitations.AddAsync(member, actorId, inviter, afterReset: false, cancellationToken);
            audit.Add(StaffAudit.Actions.InvitedStaff, member.Id, actorId is null ? $"role {role}, by the operator's command line" : $"role {role}", actorId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return Outcome.Invited;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}

/// <summary>
/// Resets a staff member's authenticator (a lost phone): the key and the second factor are removed,
/// their sessions end, and they are mailed a new invitation saying who reset it. Audited.
/// </summary>
public sealed class ResetAuthenticatorCommand(
    UserManager<DataSubject> users,
    PortalDbContext db,
    StaffInvitations invitations,
    StaffAudit audit,
    StaffDirectory directory,
    PortalSignIn signIn)
{
    public async Task<bool> ExecuteAsync(Guid actorId, Guid memberId, CancellationToken cancellationToken)
    {
        if (await directory.FindAsync(memberId, cancellationToken) is null || await users.FindByIdAsync(memberId.ToString()) is not { } member)
        {
            return false;
        }

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await users.RemoveAuthenticationTokenAsync(member, AuthenticatorSecrets.LoginProvider, AuthenticatorSecrets.Names[0]);
            await users.SetTwoFactorEnabledAsync(member, false);
            await signIn.EndAllSessionsAsync(member.Id, cancellationToken);
            var actor = await directory.FindAsync(actorId, cancellationToken);
            await invitations.AddAsync(member, actorId, actor?.Name ?? "", afterReset: true, cancellationToken);
            audit.Add(StaffAudit.Actions.ResetAuthenticator, member.Id, null, actorId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return true;
    }
}

/// <summary>
/// Development: the demo staff have no authenticator, so the demo data mails each an invitation
/// (see the development mailbox) when they have neither an authenticator nor an open invitation.
/// </summary>
internal sealed class DemoStaffInvitations(
    UserManager<DataSubject> users,
    StaffInvitations invitations,
    IOptions<PortalOptions> portal,
    IConfiguration configuration,
    TimeProvider time) : IDatabaseSeeder
{
    public async Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        if (!portal.Value.SeedDemoData || !configuration.GetValue("Staff:InviteDemoStaff", false))
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var email in new[] { DemoDataSeeder.SupportStaff, DemoDataSeeder.PrivacyOfficer })
        {
            if (await users.FindByEmailAsync(email) is not { } member || member.TwoFactorEnabled
                || await db.Set<StaffInvitation>().AnyAsync(i => i.UserId == member.Id && i.UsedAt == null && i.ExpiresAt > now, cancellationToken))
            {
                continue;
            }

            await invitations.AddAsync(member, null, "demo data", afterReset: false, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
