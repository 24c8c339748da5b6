using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PrivacyPortal.Testing.Smtp;

/// <summary>Decodes RFC 2047 encoded words (<c>=?utf-8?B?...?=</c>, <c>=?utf-8?Q?...?=</c>) in header values.</summary>
public static partial class EncodedWords
{
    [GeneratedRegex(@"=\?(?<charset>[^?*]+)(\*[^?]*)?\?(?<enc>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWord();

    /// <summary>
    /// Decodes every encoded word in <paramref name="value"/>. Whitespace between two adjacent encoded
    /// words is dropped (RFC 2047 §6.2), and adjacent words in one charset are joined as bytes before
    /// decoding, because encoders may split a multi-byte character across two words.
    /// </summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = new StringBuilder();
        var pending = new List<byte>();
        string? pendingCharset = null;
        var position = 0;

        foreach (Match match in EncodedWord().Matches(value))
        {
            var between = value[position..match.Index];
            var charset = match.Groups["charset"].Value;
            var adjacent = pendingCharset is not null && string.IsNullOrWhiteSpace(between);
            if (!adjacent || !string.Equals(charset, pendingCharset, StringComparison.OrdinalIgnoreCase))
            {
                Flush();
                if (!adjacent)
                {
                    result.Append(between);
                }
            }

            pendingCharset = charset;
            var text = match.Groups["text"].Value;
            pending.AddRange(char.ToUpperInvariant(match.Groups["enc"].Value[0]) == 'B'
                ? Convert.FromBase64String(text)
                : DecodeQ(text));
            position = match.Index + match.Length;
        }

        Flush();
        result.Append(value[position..]);
        return result.ToString();

        void Flush()
        {
            if (pendingCharset is not null)
            {
                result.Append(MimeEntity.GetEncoding(pendingCharset).GetString([.. pending]));
                pending.Clear();
                pendingCharset = null;
            }
        }
    }

    private static byte[] DecodeQ(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)c);
            }
        }

        return [.. bytes];
    }
}
