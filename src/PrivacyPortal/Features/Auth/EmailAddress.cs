using System.Globalization;
using System.Text.RegularExpressions;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// The addresses people sign in with: a plain dot-atom local part and a domain name. Quoted local
/// parts, comments, IP literals and look-alike characters (full-width @) are refused rather than
/// guessed at, since the address is also the key to a person's data.
/// </summary>
public static partial class EmailAddress
{
    public const int MaxLength = 254;

    public static bool TryNormalize(string? input, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var trimmed = input.Trim();
        if (trimmed.Length > MaxLength || trimmed.Count(c => c == '@') != 1)
        {
            return false;
        }

        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        var local = trimmed[..at];
        var domain = trimmed[(at + 1)..];
        if (local.Length is 0 or > 64 || !LocalPart().IsMatch(local))
        {
            return false;
        }

        string asciiDomain;
        try
        {
            asciiDomain = new IdnMapping().GetAscii(domain.TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (!Domain().IsMatch(asciiDomain))
        {
            return false;
        }

        normalized = local.ToLowerInvariant() + "@" + asciiDomain;
        return normalized.Length <= MaxLength;
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalPart();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex Domain();
}
