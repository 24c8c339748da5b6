using System.Security.Cryptography;
using System.Text;

namespace PrivacyPortal.Features.Auth;

/// <summary>Makes and hashes the secrets of a sign-in attempt; only the hashes are ever stored.</summary>
public static class MagicLinkSecrets
{
    /// <summary>A 256-bit random token, base64url, for the emailed link.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A uniformly random 6-digit code.</summary>
    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The code is keyed with the attempt's token hash, so one code's hash says nothing of another's.</summary>
    public static string HashCode(string tokenHash, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(tokenHash), Encoding.UTF8.GetBytes(code)));

    public static bool CodeMatches(string tokenHash, string code, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(HashCode(tokenHash, code)),
            Encoding.ASCII.GetBytes(expectedHash));

    /// <summary>Tokens are base64url of 32 bytes; anything else is refused before touching the database.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
