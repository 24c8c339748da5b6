using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Auth;

public enum RedeemStatus
{
    SignedIn,

    /// <summary>Unknown, already used, or for an address with no account: one answer for all.</summary>
    Invalid,
    Expired,
    WrongCode,
    TooManyAttempts,
}

public sealed record RedeemResult(RedeemStatus Status, string? ReturnUrl = null, int AttemptsLeft = 0);

/// <summary>
/// Turns a link token or a code into a session. Consumption is one conditional UPDATE, so of any
/// number of concurrent POSTs exactly one signs in.
/// </summary>
public sealed class RedeemMagicLinkCommand(
    PortalDbContext db,
    PortalSignIn signIn,
    TimeProvider time,
    IOptions<AuthOptions> options,
    IDataProtectionProvider dataProtection)
{
    /// <summary>Reads, without changing anything, whether a link token can still be used (the GET of the confirm page).</summary>
    public async Task<RedeemStatus> PeekAsync(string? token, CancellationToken cancellationToken)
    {
        if (!MagicLinkSecrets.LooksLikeToken(token))
        {
            return RedeemStatus.Invalid;
        }

        var hash = MagicLinkSecrets.HashToken(token!);
        var row = await db.MagicLinkTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.ConsumedAt, t.ExpiresAt, t.SubjectId })
            .FirstOrDefaultAsync(cancellationToken);
        return row switch
        {
            null or { SubjectId: null } or { ConsumedAt: not null } => RedeemStatus.Invalid,
            _ when row.ExpiresAt <= time.GetUtcNow() => RedeemStatus.Expired,
            _ => RedeemStatus.SignedIn,
        };
    }

    public async Task<RedeemResult> RedeemTokenAsync(string? token, CancellationToken cancellationToken)
    {
        if (!MagicLinkSecrets.LooksLikeToken(token))
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        var hash = MagicLinkSecrets.HashToken(token!);
        var row = await db.MagicLinkTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        return row is null ? new RedeemResult(RedeemStatus.Invalid) : await ConsumeAsync(row, "magic-link", cancellationToken);
    }

    public async Task<RedeemResult> RedeemCodeAsync(string? protectedAttempt, string? code, CancellationToken cancellationToken)
    {
        if (!TryReadAttempt(protectedAttempt, out var attemptId))
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        var row = await db.MagicLinkTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == attemptId, cancellationToken);
        var now = time.GetUtcNow();
        var max = options.Value.MaxCodeAttempts;
        if (row is null)
        {
            // No mail was sent for this attempt (rate limited); it answers like a wrong code that never works.
            return new RedeemResult(RedeemStatus.WrongCode, AttemptsLeft: max - 1);
        }

        if (row.ConsumedAt is not null)
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        if (row.ExpiresAt <= now)
        {
            return new RedeemResult(RedeemStatus.Expired);
        }

        if (row.FailedCodeAttempts >= max)
        {
            return new RedeemResult(RedeemStatus.TooManyAttempts);
        }

        var normalizedCode = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (row.SubjectId is null || normalizedCode.Length != 6 || !MagicLinkSecrets.CodeMatches(row.TokenHash, normalizedCode, row.CodeHash))
        {
            // Counted with a conditional UPDATE, so parallel guesses cannot get past the limit.
            var counted = await db.MagicLinkTokens
                .Where(t => t.Id == row.Id && t.FailedCodeAttempts < max && t.ConsumedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.FailedCodeAttempts, t => t.FailedCodeAttempts + 1), cancellationToken);
            var left = counted == 0 ? 0 : max - row.FailedCodeAttempts - 1;
            return left <= 0 ? new RedeemResult(RedeemStatus.TooManyAttempts) : new RedeemResult(RedeemStatus.WrongCode, AttemptsLeft: left);
        }

        return await ConsumeAsync(row, "code", cancellationToken);
    }

    private async Task<RedeemResult> ConsumeAsync(MagicLinkToken row, string method, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (row.SubjectId is null || row.ConsumedAt is not null)
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        if (row.ExpiresAt <= now)
        {
            return new RedeemResult(RedeemStatus.Expired);
        }

        var max = options.Value.MaxCodeAttempts;
        var won = await db.MagicLinkTokens
            .Where(t => t.Id == row.Id && t.ConsumedAt == null && t.ExpiresAt > now && (method != "code" || t.FailedCodeAttempts < max))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConsumedAt, now), cancellationToken);
        if (won != 1)
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        var subject = await db.Users.FirstOrDefaultAsync(u => u.Id == row.SubjectId, cancellationToken);
        if (subject is null)
        {
            return new RedeemResult(RedeemStatus.Invalid);
        }

        await signIn.SignInAsync(subject, method, cancellationToken);
        return new RedeemResult(RedeemStatus.SignedIn, row.ReturnUrl);
    }

    private bool TryReadAttempt(string? protectedAttempt, out Guid attemptId)
    {
        attemptId = Guid.Empty;
        if (string.IsNullOrEmpty(protectedAttempt) || protectedAttempt.Length > 1000)
        {
            return false;
        }

        try
        {
            return Guid.TryParse(dataProtection.CreateProtector(RequestMagicLinkCommand.AttemptPurpose).Unprotect(protectedAttempt), out attemptId);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
