using System.Security.Cryptography;

namespace PrivacyPortal.Features.Requests;

/// <summary>Short random references people can read out on the phone: no I, L, O or U.</summary>
public static class RequestReference
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"R-{chars[..4]}-{chars[4..]}";
    }
}
