using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace PrivacyPortal.Testing.Smtp;

/// <summary>A mail as the SMTP server received it, with what tests look for already decoded.</summary>
public sealed partial class ReceivedMail
{
    private static readonly HtmlParser HtmlParser = new();

    private ReceivedMail(MimeEntity message, string? filePath)
    {
        Message = message;
        FilePath = filePath;
        From = ParseAddresses(message.RawHeader("From")).FirstOrDefault();
        To = ParseAddresses(message.RawHeader("To"));
        Cc = ParseAddresses(message.RawHeader("Cc"));
        EnvelopeRecipients = (message.RawHeader("X-RcptTo") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Subject = message.Header("Subject") ?? "";
        var bodies = message.DescendantsAndSelf().Where(e => e.Parts.Count == 0 && !e.IsAttachment).ToList();
        TextBody = bodies.FirstOrDefault(e => e.MediaType == "text/plain")?.Text;
        HtmlBody = bodies.FirstOrDefault(e => e.MediaType == "text/html")?.Text;
        Links = FindLinks();
    }

    /// <summary>The parsed MIME structure, for anything the shortcuts below do not cover.</summary>
    public MimeEntity Message { get; }

    /// <summary>The Maildir file the mail came from, if it came from one.</summary>
    public string? FilePath { get; }

    public MailAddress? From { get; }

    /// <summary>Addresses in the To header; display names decoded.</summary>
    public IReadOnlyList<MailAddress> To { get; }

    public IReadOnlyList<MailAddress> Cc { get; }

    /// <summary>RCPT TO addresses as the server saw them (aiosmtpd's X-RcptTo header); includes Bcc.</summary>
    public IReadOnlyList<string> EnvelopeRecipients { get; }

    /// <summary>The decoded Subject, or empty.</summary>
    public string Subject { get; }

    /// <summary>The first text/plain part that is not an attachment.</summary>
    public string? TextBody { get; }

    /// <summary>The first text/html part that is not an attachment.</summary>
    public string? HtmlBody { get; }

    /// <summary>Every distinct absolute http(s) link in the text and HTML bodies, in order of appearance.</summary>
    public IReadOnlyList<Uri> Links { get; }

    public static ReceivedMail Parse(byte[] raw, string? filePath = null) => new(MimeEntity.Parse(raw), filePath);

    public static ReceivedMail Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>A decoded header value, or null.</summary>
    public string? Header(string name) => Message.Header(name);

    /// <summary>True if <paramref name="address"/> is in To, Cc or the envelope (case-insensitive).</summary>
    public bool IsAddressedTo(string address) =>
        To.Concat(Cc).Any(a => a.Address.Equals(address, StringComparison.OrdinalIgnoreCase))
        || EnvelopeRecipients.Any(a => a.Equals(address, StringComparison.OrdinalIgnoreCase));

    /// <summary>The one link whose text contains <paramref name="pathContains"/>; throws if none or several differ.</summary>
    public Uri FindLink(string pathContains)
    {
        var matches = Links.Where(l => l.OriginalString.Contains(pathContains, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidOperationException(
                $"No link containing '{pathContains}' in mail '{Subject}'. Links: {string.Join(", ", Links)}"),
            _ => throw new InvalidOperationException(
                $"Several links contain '{pathContains}' in mail '{Subject}': {string.Join(", ", matches)}"),
        };
    }

    /// <summary>Like <see cref="FindLink"/> but null when there is no such link.</summary>
    public Uri? TryFindLink(string pathContains) =>
        Links.FirstOrDefault(l => l.OriginalString.Contains(pathContains, StringComparison.Ordinal));

    /// <summary>
    /// The one 6-digit code in the plain text (or, without one, the HTML text), ignoring digits inside
    /// links; throws if there is none or more than one distinct code.
    /// </summary>
    public string FindCode()
    {
        var codes = FindCodes();
        return codes.Count switch
        {
            1 => codes[0],
            0 => throw new InvalidOperationException($"No 6-digit code in mail '{Subject}'."),
            _ => throw new InvalidOperationException($"Several 6-digit codes in mail '{Subject}': {string.Join(", ", codes)}"),
        };
    }

    public string? TryFindCode() => FindCodes() is [var code] ? code : null;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{From?.Address} -> {string.Join(", ", To.Select(a => a.Address))}: {Subject}");

    [GeneratedRegex(@"https?://[^\s<>""']+")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex CodePattern();

    private List<string> FindCodes()
    {
        var text = TextBody ?? (HtmlBody is null ? "" : HtmlParser.ParseDocument(HtmlBody).Body?.TextContent ?? "");
        var withoutLinks = UrlPattern().Replace(text, " ");
        return CodePattern().Matches(withoutLinks).Select(m => m.Value).Distinct().ToList();
    }

    private List<Uri> FindLinks()
    {
        var candidates = new List<string>();
        if (TextBody is not null)
        {
            candidates.AddRange(UrlPattern().Matches(TextBody).Select(m => m.Value.TrimEnd('.', ',', ';', ':', ')', ']')));
        }

        if (HtmlBody is not null)
        {
            candidates.AddRange(HtmlParser.ParseDocument(HtmlBody).QuerySelectorAll("a[href]")
                .Select(a => a.GetAttribute("href")!.Trim()));
        }

        return candidates
            .Where(c => c.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Select(c => new Uri(c, UriKind.Absolute))
            .ToList();
    }

    private static List<MailAddress> ParseAddresses(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        // MailAddressCollection understands address lists with quoted and encoded display names;
        // the display names it returns are still encoded, so decode them ourselves.
        var collection = new MailAddressCollection { header };
        return collection
            .Select(a => string.IsNullOrEmpty(a.DisplayName)
                ? a
                : new MailAddress(a.Address, MimeEntity.DecodeHeaderValue(a.DisplayName)))
            .ToList();
    }
}
