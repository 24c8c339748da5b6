using System.Globalization;
using System.Net;
using System.Text;

namespace PrivacyPortal.Features.Email;

/// <summary>What an email says, before it is laid out as HTML and plain text.</summary>
public sealed record EmailDraft(
    CultureInfo Culture,
    string Subject,
    string Heading,
    IReadOnlyList<string> Paragraphs,
    IReadOnlyList<string> FooterLines)
{
    public EmailAction? Action { get; init; }

    /// <summary>A short code shown large, e.g. the 6-digit sign-in code.</summary>
    public string? Code { get; init; }

    /// <summary>Paragraphs after the action, e.g. "if you did not ask for this, ignore it".</summary>
    public IReadOnlyList<string> Closing { get; init; } = [];
}

public sealed record EmailAction(Uri Url, string Label);

public sealed record EmailContent(string Subject, string TextBody, string HtmlBody);

/// <summary>
/// Lays out every portal email the same way, as HTML and as plain text. All text is encoded here,
/// so callers pass plain, already localized strings.
/// </summary>
public static class EmailComposer
{
    public static EmailContent Compose(EmailDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return new EmailContent(draft.Subject, Text(draft), Html(draft));
    }

    private static string Text(EmailDraft d)
    {
        var text = new StringBuilder();
        text.Append(d.Heading).Append("\r\n\r\n");
        foreach (var p in d.Paragraphs)
        {
            text.Append(p).Append("\r\n\r\n");
        }

        if (d.Code is not null)
        {
            text.Append(d.Code).Append("\r\n\r\n");
        }

        if (d.Action is not null)
        {
            text.Append(d.Action.Label).Append(":\r\n").Append(d.Action.Url.AbsoluteUri).Append("\r\n\r\n");
        }

        foreach (var p in d.Closing)
        {
            text.Append(p).Append("\r\n\r\n");
        }

        text.Append("-- \r\n");
        foreach (var line in d.FooterLines)
        {
            text.Append(line).Append("\r\n");
        }

        return text.ToString();
    }

    private static string Html(EmailDraft d)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"").Append(E(d.Culture.TwoLetterISOLanguageName == "nb" ? "nb" : d.Culture.Name))
            .Append("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>")
            .Append(E(d.Subject)).Append("</title></head>")
            .Append("<body style=\"margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1b1f24\">")
            .Append("<div style=\"max-width:560px;margin:0 auto;padding:24px 16px\">")
            .Append("<div style=\"background:#ffffff;border-radius:8px;padding:24px\">")
            .Append("<h1 style=\"font-size:22px;margin:0 0 16px\">").Append(E(d.Heading)).Append("</h1>");
        foreach (var p in d.Paragraphs)
        {
            html.Append("<p style=\"font-size:16px;line-height:1.5;margin:0 0 16px\">").Append(E(p)).Append("</p>");
        }

        if (d.Code is not null)
        {
            html.Append("<p style=\"font-size:32px;letter-spacing:6px;font-weight:bold;margin:0 0 16px;font-family:monospace\">")
                .Append(E(d.Code)).Append("</p>");
        }

        if (d.Action is not null)
        {
            html.Append("<p style=\"margin:24px 0\"><a href=\"").Append(E(d.Action.Url.AbsoluteUri))
                .Append("\" style=\"display:inline-block;background:#0b5cad;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-size:16px;font-weight:bold\">")
                .Append(E(d.Action.Label)).Append("</a></p>")
                .Append("<p style=\"font-size:13px;color:#4a5563;word-break:break-all\">").Append(E(d.Action.Url.AbsoluteUri)).Append("</p>");
        }

        foreach (var p in d.Closing)
        {
            html.Append("<p style=\"font-size:14px;line-height:1.5;color:#4a5563;margin:0 0 12px\">").Append(E(p)).Append("</p>");
        }

        html.Append("</div><div style=\"font-size:12px;line-height:1.5;color:#4a5563;padding:16px 8px\">");
        foreach (var line in d.FooterLines)
        {
            html.Append(E(line)).Append("<br>");
        }

        html.Append("</div></div></body></html>");
        return html.ToString();
    }
}
