using System.Security.Claims;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
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
}

/// <summary>
/// The authenticator (TOTP, RFC 6238) second factor of staff sign-in, on ASP.NET Core Identity's
/// authenticator token provider. A verified code replaces the magic-link session with a new one
/// whose method ends in <c>+totp</c>; only such sessions pass the staff policies.
/// </summary>
public sealed class StaffSecondFactor(
    UserManager<DataSubject> users,
    PortalSignIn signIn,
    StaffDirectory directory,
    StaffAudit audit,
    PortalDbContext db,
    TimeProvider time)
{
    public const string MethodSuffix = "+totp";
    private const string TokenProvider = "PrivacyPortal.Staff";
    private const string LastCodeToken = "LastTotp";
    private const string Issuer = "Innore privacy portal";

    public static bool IsCompleted(ClaimsPrincipal user) =>
        user?.Identity?.IsAuthenticated == true
        && user.FindFirstValue(PortalClaims.AuthenticationMethod) is { } method
        && method.EndsWith(MethodSuffix, StringComparison.Ordinal);

    /// <summary>The enrolled key, or a new one if there is none yet (first sign-in).</summary>
    public async Task<(string Key, bool Enrolled)> KeyForAsync(DataSubject user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return (key!, await users.GetTwoFactorEnabledAsync(user));
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

    /// <summary>Checks a code; on success enrols the authenticator (first time) and upgrades the session.</summary>
    public async Task<SecondFactorStatus> VerifyAsync(DataSubject user, string? code, string firstFactorMethod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await directory.FindAsync(user.Id, cancellationToken) is null)
        {
            return SecondFactorStatus.NotStaff;
        }

        if (await users.IsLockedOutAsync(user))
        {
            return SecondFactorStatus.LockedOut;
        }

        var normalized = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        var valid = normalized.Length == 6
            && !await WasJustUsedAsync(user, normalized)
            && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, normalized);
        if (!valid)
        {
            await users.AccessFailedAsync(user);
            audit.Add(StaffAudit.Actions.SecondFactorFailed, null, actorId: user.Id);
            await db.SaveChangesAsync(cancellationToken);
            return await users.IsLockedOutAsync(user) ? SecondFactorStatus.LockedOut : SecondFactorStatus.WrongCode;
        }

        // RFC 6238 §5.2: a code is accepted once; the next sign-in needs the next code.
        await users.SetAuthenticationTokenAsync(user, TokenProvider, LastCodeToken,
            normalized + "|" + time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        await users.ResetAccessFailedCountAsync(user);
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            await users.SetTwoFactorEnabledAsync(user, true);
            audit.Add(StaffAudit.Actions.EnrolledAuthenticator, null, actorId: user.Id);
        }

        audit.Add(StaffAudit.Actions.SignedInWithSecondFactor, null, actorId: user.Id);
        await db.SaveChangesAsync(cancellationToken);

        // A new session (and cookie) for the stronger sign-in; the magic-link-only one ends.
        await signIn.SignOutAsync(cancellationToken);
        var method = (string.IsNullOrEmpty(firstFactorMethod) ? "magic-link" : firstFactorMethod) + MethodSuffix;
        await signIn.SignInAsync(user, method, cancellationToken);
        return SecondFactorStatus.Verified;
    }

    private async Task<bool> WasJustUsedAsync(DataSubject user, string code)
    {
        var last = await users.GetAuthenticationTokenAsync(user, TokenProvider, LastCodeToken);
        if (last?.Split('|') is not [var lastCode, var at] || !long.TryParse(at, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        // The provider accepts codes up to 90 s either side, so a code stays replayable for about 3 minutes.
        return lastCode == code && time.GetUtcNow().ToUnixTimeSeconds() - seconds < 300;
    }
}
