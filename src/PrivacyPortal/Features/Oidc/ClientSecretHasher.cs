using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Client secrets are stored as salted PBKDF2-SHA256 hashes, <c>PBKDF2-SHA256$iterations$salt$hash</c>
/// (salt and hash base64), so the configuration never holds a usable secret and the cost can be
/// raised per client by writing a new hash.
/// </summary>
public static class ClientSecretHasher
{
    public const string Scheme = "PBKDF2-SHA256";
    public const int DefaultIterations = 210_000;

    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool IsWellFormed(string? stored) => TryParse(stored, out _, out _, out _);

    public static bool Verify(string secret, string stored)
    {
        if (!TryParse(stored, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = [];
        hash = [];
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 10_000)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 16 && hash.Length >= 32;
    }
}
