using System.Diagnostics;
using System.Text.Json;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>
/// A mail file as an independent MIME parser reads it: Python's <c>email</c> package with its
/// modern policy, which decodes encoded words and transfer encodings and reports defects.
/// </summary>
internal sealed record ParsedMail(
    string Subject,
    string From,
    string To,
    string? Date,
    string? MessageId,
    string? AutoSubmitted,
    string? ListUnsubscribe,
    string? ListUnsubscribePost,
    string ContentType,
    IReadOnlyList<string> PartTypes,
    string? Text,
    string? Html,
    IReadOnlyList<string> Defects)
{
    private const string Script = """
        import sys, json, email
        from email import policy
        def parse(path):
            with open(path, 'rb') as f:
                msg = email.message_from_binary_file(f, policy=policy.default)
            def body(kind):
                part = msg.get_body((kind,))
                return part.get_content() if part is not None else None
            defects = [type(d).__name__ for d in msg.defects]
            for part in msg.walk():
                defects += [type(d).__name__ for d in part.defects]
            return {
                'subject': str(msg['subject']), 'from': str(msg['from']), 'to': str(msg['to']),
                'date': str(msg['date']) if msg['date'] else None,
                'messageId': msg['message-id'], 'autoSubmitted': msg['auto-submitted'],
                'listUnsubscribe': msg['list-unsubscribe'], 'listUnsubscribePost': msg['list-unsubscribe-post'],
                'contentType': msg.get_content_type(),
                'partTypes': [p.get_content_type() for p in msg.walk()],
                'text': body('plain'), 'html': body('html'), 'defects': defects,
            }
        print(json.dumps([parse(p) for p in sys.argv[1:]]))
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<ParsedMail> ReadAsync(string path) => (await ReadAllAsync([path]))[0];

    /// <summary>Parses many files in one interpreter, which starts far faster than one per file.</summary>
    public static async Task<IReadOnlyList<ParsedMail>> ReadAllAsync(IReadOnlyList<string> paths)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        foreach (var path in paths)
        {
            start.ArgumentList.Add(path);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Parsing mail files failed: {await error}");
        }

        return JsonSerializer.Deserialize<List<ParsedMail>>(await output, Json)!;
    }
}
