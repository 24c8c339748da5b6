using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Sends a sign-in link and code, or, for an address with no data, a mail saying so. Both paths
/// do the same database work and end on the same screen, so the answer reveals nothing.
/// </summary>
public sealed class RequestMagicLinkCommand(
    PortalDbContext db,
    Outbox outbox,
    EmailFooter footer,
    TimeProvider time,
    IOptions<AuthOptions> authOptions,
    IOptions<PortalOptions> portalOptions,
    IStringLocalizer<Localization.Login> text,
    IDataProtectionProvider dataProtection,
    SharedRateLimitCounter counters)
{
    public const string PerAddressPolicy = "sign-in-per-address";

    public const string AttemptPurpose = "PrivacyPortal.Login.Attempt";

    /// <summary>
    /// Returns a protected attempt reference for the code form of the tab that asked. It is
    /// returned even when no mail was sent, so the screen looks the same.
    /// </summary>
    public async Task<string> ExecuteAsync(string normalizedEmail, CultureInfo culture, string? returnUrl, string? ipAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var now = time.GetUtcNow();
        var options = authOptions.Value;
        var attemptId = Guid.NewGuid();
        var protector = dataProtection.CreateProtector(AttemptPurpose);

        var recent = await db.MagicLinkTokens.CountAsync(t => t.Email == normalizedEmail && t.CreatedAt > now.AddHours(-1), cancellationToken);
        // The count above is read before this attempt is written, so simultaneous requests (on
        // several instances) would all pass it; the atomic counter caps such a burst at the limit.
        // It is keyed by a hash, so the counters table holds no addresses.
        if (recent >= options.MaxLinksPerAddressPerHour
            || !await counters.TryTakeAsync(PerAddressPolicy, AddressKey(normalizedEmail), options.MaxLinksPerAddressPerHour, TimeSpan.FromHours(1), cancellationToken))
        {
            // Quietly: the person already has recent mails; telling the visitor would reveal the address is in use.
            return protector.Protect(attemptId.ToString());
        }

        var lookup = normalizedEmail.ToUpperInvariant();
        var subject = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == lookup)
            .Select(u => new { u.Id, u.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);

        var token = MagicLinkSecrets.NewToken();
        var code = MagicLinkSecrets.NewCode();
        var tokenHash = MagicLinkSecrets.HashToken(token);
        db.MagicLinkTokens.Add(new MagicLinkToken
        {
            Id = attemptId,
            TokenHash = tokenHash,
            CodeHash = MagicLinkSecrets.HashCode(tokenHash, code),
            Email = normalizedEmail,
            SubjectId = subject?.Id,
            CreatedAt = now,
            ExpiresAt = now + options.MagicLinkLifetime,
            ReturnUrl = returnUrl,
            Culture = culture.Name,
            RequestIp = ipAddress,
        });

        using (new CultureScope(culture))
        {
            var minutes = (int)options.MagicLinkLifetime.TotalMinutes;
            var content = subject is not null
                ? EmailComposer.Compose(new EmailDraft(
                    culture,
                    text["Email.SignIn.Subject"],
                    text["Email.SignIn.Heading"],
                    [text["Email.SignIn.Intro", minutes], text["Email.SignIn.CodeIntro"]],
                    footer.Lines())
                {
                    Code = code,
                    Action = new EmailAction(
                        portalOptions.Value.Link($"/{culture.Name}/login/confirm?token={token}"),
                        text["Email.SignIn.Button"]),
                    Closing = [text["Email.SignIn.NotYou"]],
                })
                : EmailComposer.Compose(new EmailDraft(
                    culture,
                    text["Email.NoAccount.Subject"],
                    text["Email.NoAccount.Heading"],
                    [text["Email.NoAccount.Body", normalizedEmail], text["Email.NoAccount.Contact", footer.ContactEmail()]],
                    footer.Lines())
                {
                    Closing = [text["Email.SignIn.NotYou"]],
                });
            outbox.Enqueue(normalizedEmail, content, subject is not null ? "sign-in" : "sign-in-no-account", containsSecret: subject is not null);
        }

        await db.SaveChangesAsync(cancellationToken);
        return protector.Protect(attemptId.ToString());
    }

    private static string AddressKey(string normalizedEmail) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(normalizedEmail)));
}
