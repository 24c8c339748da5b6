using System.Buffers.Binary;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using QRCoder;

namespace PrivacyPortal.Features.Staff;

public enum SecondFactorStatus
{
    Verified,
    WrongCode,
    LockedOut,
    NotStaff,

    /// <summary>No authenticator yet and no valid invitation: enrolment needs one.</summary>
    NeedsInvitation,

    /// <summary>Too many code attempts from this network; nothing was checked.</summary>
    TooManyFromNetwork,
}

/// <summary><c>Staff:SecondFactor</c>: the limits on authenticator codes.</summary>
public sealed class SecondFactorOptions
{
    public const string SectionName = "Staff:SecondFactor";

    /// <summary>Code attempts per account before it is locked for <see cref="Lockout"/>.</summary>
    [Range(1, 100)]
    public int MaxFailures { get; set; } = 5;

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Code attempts per client IP address in 10 minutes, whatever the account.</summary>
    [Range(1, 100_000)]
    public int MaxAttemptsPerIpPer10Minutes { get; set; } = 30;

    /// <summary>How long an enrolment invitation is valid.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The authenticator (TOTP, RFC 6238) second factor of staff sign-in. A verified code replaces the
/// magic-link session with a new one whose method ends in <c>+totp</c>; only such sessions pass the
/// staff policies. Every attempt is counted per account by one conditional UPDATE before the code is
/// looked at, and per IP in the shared counters; an accepted code's time step is recorded by one
/// conditional UPDATE, so the same code (or an earlier one) never works twice, even in parallel.
/// </summary>
public sealed class StaffSecondFactor(
    UserManager<DataSubject> users,
    PortalSignIn signIn,
    StaffDirectory directory,
    StaffAudit audit,
    StaffInvitations invitations,
    SharedRateLimitCounter counter,
    PortalDbContext db,
    IOptions<SecondFactorOptions> options,
    IHttpContextAccessor accessor,
    TimeProvider time)
{
    public const string MethodSuffix = "+totp";
    public const string PerIpPolicy = "second-factor-per-ip";
    private const string Issuer = "Privacy portal";
    private const int StepSeconds = 30;

    /// <summary>Codes of this many steps either side of now are accepted (clock drift between phone and server).</summary>
    private const int Drift = 2;

    public static bool IsCompleted(ClaimsPrincipal user) =>
        user?.Identity?.IsAuthenticated == true
        && user.FindFirstValue(PortalClaims.AuthenticationMethod) is { } method
        && method.EndsWith(MethodSuffix, StringComparison.Ordinal);

    /// <summary>Whether the staff member has enrolled an authenticator.</summary>
    public Task<bool> IsEnrolledAsync(DataSubject user) => users.GetTwoFactorEnabledAsync(user);

    /// <summary>The key to enrol with (made when first asked for); only shown with a valid invitation.</summary>
    public async Task<string> EnrolmentKeyAsync(DataSubject user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return key!;
    }

    /// <summary>The otpauth:// URI an authenticator app reads from the QR code.</summary>
    public static Uri OtpAuthUri(string email, string key) =>
        new($"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30");

    /// <summary>The QR code as a PNG data: URI (allowed by the CSP's <c>img-src 'self' data:</c>; no script needed).</summary>
    public static string QrCodeDataUri(Uri otpAuth)
    {
        ArgumentNullException.ThrowIfNull(otpAuth);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpAuth.AbsoluteUri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>
    /// Checks a code; on success enrols the authenticator (first time, with <paramref name="invitationToken"/>)
    /// and upgrades the session.
    /// </summary>
    public async Task<SecondFactorStatus> VerifyAsync(DataSubject user, string? code, string? invitationToken, string firstFactorMethod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await directory.FindAsync(user.Id, cancellationToken) is null)
        {
            return SecondFactorStatus.NotStaff;
        }

        var enrolled = await users.GetTwoFactorEnabledAsync(user);
        StaffInvitation? invitation = null;
        if (!enrolled && (invitation = await invitations.FindValidAsync(user.Id, invitationToken, cancellationToken)) is null)
        {
            return SecondFactorStatus.NeedsInvitation;
        }

        var settings = options.Value;
        var ip = accessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!await counter.TryTakeAsync(PerIpPolicy, ip, settings.MaxAttemptsPerIpPer10Minutes, TimeSpan.FromMinutes(10), cancellationToken))
        {
            await FailedAsync(user, "per-ip limit", cancellationToken);
            return SecondFactorStatus.TooManyFromNetwork;
        }

        var now = time.GetUtcNow();
        var attempt = await CountAttemptAsync(user.Id, now, cancellationToken);
        if (attempt > settings.MaxFailures)
        {
            await FailedAsync(user, "locked out", cancellationToken);
            return SecondFactorStatus.LockedOut;
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        var step = key is null ? null : MatchingStep(key, code, now);
        // RFC 6238 §5.2: a code is accepted once; a later sign-in needs a later code. The
        // condition on the stored step makes two requests racing with one code succeed once.
        if (step is null || await db.Set<StaffAuthenticatorState>()
                .Where(s => s.UserId == user.Id && s.LastUsedStep < step.Value)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedStep, step.Value)
                    .SetProperty(x => x.FailedCount, 0)
                    .SetProperty(x => x.LockedUntil, (DateTimeOffset?)null), cancellationToken) == 0)
        {
            await FailedAsync(user, step is null ? "wrong code" : "code already used", cancellationToken);
            return attempt >= settings.MaxFailures ? SecondFactorStatus.LockedOut : SecondFactorStatus.WrongCode;
        }

        if (invitation is not null)
        {
            if (!await invitations.UseAsync(invitation.Id, cancellationToken))
            {
                await FailedAsync(user, "invitation already used", cancellationToken);
                return SecondFactorStatus.NeedsInvitation;
            }

            await users.SetTwoFactorEnabledAsync(user, true);
            audit.Add(StaffAudit.Actions.EnrolledAuthenticator, user.Id, actorId: user.Id);
        }

        audit.Add(StaffAudit.Actions.SignedInWithSecondFactor, null, actorId: user.Id);
        await db.SaveChangesAsync(cancellationToken);

        // A new session (and cookie) for the stronger sign-in; the magic-link-only one ends.
        await signIn.SignOutAsync(cancellationToken);
        var method = (string.IsNullOrEmpty(firstFactorMethod) ? "magic-link" : firstFactorMethod) + MethodSuffix;
        await signIn.SignInAsync(user, method, cancellationToken);
        return SecondFactorStatus.Verified;
    }

    /// <summary>
    /// Counts one attempt and returns the count since the last accepted code: one upsert, so 40
    /// parallel attempts count 40. Reaching the limit locks the account; once the lock has passed,
    /// counting starts again.
    /// </summary>
    private async Task<int> CountAttemptAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowTicks = now.UtcTicks;
        var lockEnd = (now + options.Value.Lockout).UtcTicks;
        var max = options.Value.MaxFailures;
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO "StaffAuthenticators" ("UserId", "FailedCount", "LockedUntil", "LastUsedStep") VALUES ({userId}, 1, NULL, 0)
            ON CONFLICT ("UserId") DO UPDATE SET
                "FailedCount" = CASE WHEN "StaffAuthenticators"."LockedUntil" <= {nowTicks} THEN 1 ELSE "StaffAuthenticators"."FailedCount" + 1 END,
                "LockedUntil" = CASE WHEN "StaffAuthenticators"."LockedUntil" <= {nowTicks} THEN NULL
                                     WHEN "StaffAuthenticators"."FailedCount" + 1 >= {max} THEN COALESCE("StaffAuthenticators"."LockedUntil", {lockEnd})
                                     ELSE "StaffAuthenticators"."LockedUntil" END
            RETURNING "FailedCount" AS "Value"
            """).ToListAsync(cancellationToken);
        return counts.Single();
    }

    private async Task FailedAsync(DataSubject user, string reason, CancellationToken cancellationToken)
    {
        audit.Add(StaffAudit.Actions.SecondFactorFailed, null, reason, actorId: user.Id);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The time step whose code <paramref name="code"/> is, within the allowed drift, or null.</summary>
    public static long? MatchingStep(string base32Key, string? code, DateTimeOffset now)
    {
        var digits = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.Length != 6 || (code ?? "").Length > 20)
        {
            return null;
        }

        var key = Base32.Decode(base32Key);
        var current = now.ToUnixTimeSeconds() / StepSeconds;
        long? match = null;
        for (var step = current - Drift; step <= current + Drift; step++)
        {
            // Every step is checked, so the time taken says nothing about which one matched.
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(key, step)), System.Text.Encoding.ASCII.GetBytes(digits)))
            {
                match = step;
            }
        }

        return match;
    }

    private static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // HMAC-SHA1 is RFC 6238's default and what authenticator apps use.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static class Base32
    {
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

        public static byte[] Decode(string input)
        {
            var bytes = new List<byte>(input.Length * 5 / 8);
            int buffer = 0, bits = 0;
            foreach (var c in input)
            {
                var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
                if (value < 0)
                {
                    continue;
                }

                buffer = (buffer << 5) | value;
                bits += 5;
                if (bits >= 8)
                {
                    bits -= 8;
                    bytes.Add((byte)(buffer >> bits));
                    buffer &= (1 << bits) - 1;
                }
            }

            return [.. bytes];
        }
    }
}
