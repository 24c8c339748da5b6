using System.Globalization;
using System.Text;

namespace PrivacyPortal.Testing.Smtp;

/// <summary>
/// One MIME entity (a whole message or one part of a multipart body), parsed from the raw bytes a mail
/// server stored. Handles what our own mails use: folded headers, multipart/* nesting, quoted-printable
/// and base64 transfer encodings and any charset .NET knows.
/// </summary>
public sealed class MimeEntity
{
    // Latin-1 maps every byte to one char and back, so the structure can be parsed as text while the
    // bytes of 8-bit bodies and headers survive until their charset is known.
    private static readonly Encoding Latin1 = Encoding.Latin1;

    static MimeEntity() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private MimeEntity(List<KeyValuePair<string, string>> headers, string body)
    {
        Headers = headers;
        (MediaType, ContentTypeParameters) = ParseParameterized(RawHeader("Content-Type") ?? "text/plain; charset=us-ascii");
        TransferEncoding = (RawHeader("Content-Transfer-Encoding") ?? "7bit").Trim().ToLowerInvariant();
        var disposition = RawHeader("Content-Disposition");
        IsAttachment = disposition is not null
            && ParseParameterized(disposition).Value.Equals("attachment", StringComparison.OrdinalIgnoreCase);

        if (MediaType.StartsWith("multipart/", StringComparison.Ordinal)
            && ContentTypeParameters.TryGetValue("boundary", out var boundary))
        {
            Parts = SplitMultipart(body, boundary).Select(part => Parse(part)).ToList();
            DecodedBody = [];
        }
        else
        {
            Parts = [];
            DecodedBody = TransferEncoding switch
            {
                "quoted-printable" => DecodeQuotedPrintable(body),
                "base64" => Convert.FromBase64String(new string([.. body.Where(c => !char.IsWhiteSpace(c))])),
                _ => Latin1.GetBytes(body),
            };
        }
    }

    /// <summary>Header fields in order, unfolded, values still encoded as on the wire.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Lower-case media type, e.g. <c>text/plain</c>; <c>text/plain</c> when the header is missing.</summary>
    public string MediaType { get; }

    /// <summary>Content-Type parameters such as charset and boundary (names case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> ContentTypeParameters { get; }

    /// <summary>Lower-case Content-Transfer-Encoding; <c>7bit</c> when missing.</summary>
    public string TransferEncoding { get; }

    /// <summary>True when Content-Disposition says attachment.</summary>
    public bool IsAttachment { get; }

    /// <summary>Child entities of a multipart entity; empty otherwise.</summary>
    public IReadOnlyList<MimeEntity> Parts { get; }

    /// <summary>The body after undoing the transfer encoding; empty for multipart entities.</summary>
    public IReadOnlyList<byte> DecodedBody { get; }

    /// <summary>The body as text in its declared charset (us-ascii if none).</summary>
    public string Text => GetEncoding(ContentTypeParameters.GetValueOrDefault("charset") ?? "us-ascii")
        .GetString([.. DecodedBody]);

    /// <summary>Parses a complete message as stored by a mail server.</summary>
    public static MimeEntity Parse(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return Parse(Latin1.GetString(raw));
    }

    /// <summary>The first header with this name, unfolded and decoded (RFC 2047 and raw UTF-8).</summary>
    public string? Header(string name)
    {
        var raw = RawHeader(name);
        return raw is null ? null : DecodeHeaderValue(raw);
    }

    /// <summary>The first header with this name, unfolded but not decoded.</summary>
    public string? RawHeader(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>This entity and all entities nested in it, depth first.</summary>
    public IEnumerable<MimeEntity> DescendantsAndSelf()
    {
        yield return this;
        foreach (var descendant in Parts.SelectMany(p => p.DescendantsAndSelf()))
        {
            yield return descendant;
        }
    }

    internal static string DecodeHeaderValue(string raw)
    {
        // Headers sent with SMTPUTF8 carry raw UTF-8; everything else is ASCII with encoded words.
        var text = raw.Any(c => c > '\x7f') ? Encoding.UTF8.GetString(Latin1.GetBytes(raw)) : raw;
        return EncodedWords.Decode(text);
    }

    internal static Encoding GetEncoding(string charset)
    {
        var name = charset.Trim().Trim('"');
        return name.Equals("utf8", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8 : Encoding.GetEncoding(name);
    }

    private static MimeEntity Parse(string latin1)
    {
        var text = latin1.Replace("\r\n", "\n", StringComparison.Ordinal);
        var headers = new List<KeyValuePair<string, string>>();
        var position = 0;
        while (position < text.Length)
        {
            var end = text.IndexOf('\n', position);
            var line = end < 0 ? text[position..] : text[position..end];
            position = end < 0 ? text.Length : end + 1;
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t' && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new MimeEntity(headers, text[position..]);
    }

    private static List<string> SplitMultipart(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var parts = new List<string>();
        List<string>? current = null;
        foreach (var line in body.Split('\n'))
        {
            var trimmed = line.TrimEnd(' ', '\t');
            if (trimmed == delimiter || trimmed == delimiter + "--")
            {
                if (current is not null)
                {
                    // The line break before a delimiter belongs to the delimiter, not to the part.
                    parts.Add(string.Join('\n', current));
                }

                if (trimmed != delimiter)
                {
                    break;
                }

                current = [];
                continue;
            }

            current?.Add(line);
        }

        return parts;
    }

    private static byte[] DecodeQuotedPrintable(string body)
    {
        var bytes = new List<byte>(body.Length);
        var lines = body.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            // Trailing whitespace may have been added in transport and is not part of the data (RFC 2045 §6.7).
            var line = lines[l].TrimEnd(' ', '\t');
            var softBreak = line.EndsWith('=');
            if (softBreak)
            {
                line = line[..^1];
            }

            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '=' && i + 2 < line.Length
                    && byte.TryParse(line.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                {
                    bytes.Add(b);
                    i += 2;
                }
                else
                {
                    bytes.Add((byte)line[i]);
                }
            }

            if (!softBreak && l < lines.Length - 1)
            {
                bytes.Add((byte)'\n');
            }
        }

        return [.. bytes];
    }

    private static (string Value, Dictionary<string, string> Parameters) ParseParameterized(string header)
    {
        var segments = SplitOutsideQuotes(header, ';');
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in segments.Skip(1))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                var value = segment[(eq + 1)..].Trim();
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
                }

                parameters[segment[..eq].Trim()] = value;
            }
        }

        return (segments[0].Trim().ToLowerInvariant(), parameters);
    }

    private static List<string> SplitOutsideQuotes(string value, char separator)
    {
        var result = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '"')
            {
                quoted = !quoted;
            }
            else if (value[i] == separator && !quoted)
            {
                result.Add(value[start..i]);
                start = i + 1;
            }
        }

        result.Add(value[start..]);
        return result;
    }
}
