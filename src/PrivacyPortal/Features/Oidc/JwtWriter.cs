using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Writes compact JWS tokens straight from a <see cref="Utf8JsonWriter"/>. The token endpoint
/// issues thousands a second; building claims dictionaries and descriptors for each would cost
/// more than the ES256 signature itself. Validation is left to Microsoft.IdentityModel.
/// </summary>
public static class JwtWriter
{
    // Tokens are not HTML: '+' in "at+jwt" and non-ASCII names stay as they are instead of \u escapes.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(SigningKey key, string type, Action<Utf8JsonWriter> writeClaims) =>
        Write(key, type, writeClaims, static (write, json) => write(json));

    public static string Write<TState>(SigningKey key, string type, TState state, Action<TState, Utf8JsonWriter> writeClaims)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(writeClaims);
        var header = new ArrayBufferWriter<byte>(96);
        using (var json = new Utf8JsonWriter(header, Options))
        {
            json.WriteStartObject();
            json.WriteString("alg", key.Algorithm);
            json.WriteString("kid", key.Id);
            json.WriteString("typ", type);
            json.WriteEndObject();
        }

        var payload = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(payload, Options))
        {
            json.WriteStartObject();
            writeClaims(state, json);
            json.WriteEndObject();
        }

        var headerLength = Base64Url.GetEncodedLength(header.WrittenCount);
        var payloadLength = Base64Url.GetEncodedLength(payload.WrittenCount);
        var signingInputLength = headerLength + 1 + payloadLength;
        var rented = ArrayPool<byte>.Shared.Rent(signingInputLength);
        try
        {
            var signingInput = rented.AsSpan(0, signingInputLength);
            Base64Url.EncodeToUtf8(header.WrittenSpan, signingInput[..headerLength]);
            signingInput[headerLength] = (byte)'.';
            Base64Url.EncodeToUtf8(payload.WrittenSpan, signingInput[(headerLength + 1)..]);
            var signature = key.Sign(signingInput);
            return string.Create(signingInputLength + 1 + Base64Url.GetEncodedLength(signature.Length), (rented, signingInputLength, signature), static (chars, s) =>
            {
                for (var i = 0; i < s.signingInputLength; i++)
                {
                    chars[i] = (char)s.rented[i];
                }

                chars[s.signingInputLength] = '.';
                Base64Url.EncodeToChars(s.signature, chars[(s.signingInputLength + 1)..]);
            });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
