using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PrivacyPortal.Testing.Auth;

/// <summary>
/// A tiny RFC 6238 (TOTP, HMAC-SHA1, 30 s, 6 digits) generator, written from the RFC rather than
/// taken from the app, so staff sign-in is tested against an independent authenticator.
/// </summary>
public static class Totp
{
    private static readonly ConcurrentDictionary<string, long> LastStep = new(StringComparer.Ordinal);

    public static string Code(string base32Key, long timeStep)
    {
        var key = Base32Decode(base32Key);
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, timeStep);
#pragma warning disable CA5350 // RFC 6238's default and what authenticator apps use.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The time step at <paramref name="now"/>: the app's clock, which tests move.</summary>
    public static long CurrentStep(DateTimeOffset now) => now.ToUnixTimeSeconds() / 30;

    /// <summary>
    /// A code an authenticator would show at <paramref name="now"/>; for a key used moments ago, the
    /// next step's code (the app accepts codes up to 60 s ahead but never the same or an earlier step twice).
    /// </summary>
    public static string NextCode(string base32Key, DateTimeOffset now)
    {
        var step = LastStep.AddOrUpdate(base32Key, _ => CurrentStep(now), (_, last) => Math.Max(CurrentStep(now), last + 1));
        return Code(base32Key, step);
    }

    public static byte[] Base32Decode(string input)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = input.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not base32.");
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
