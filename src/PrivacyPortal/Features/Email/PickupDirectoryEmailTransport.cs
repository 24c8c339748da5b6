using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Writes each mail as a complete RFC 5322 message, the same MIME message the SMTP transport sends,
/// to <c>{PickupDirectory}/{sentAt:yyyyMMddHHmmss}-{id}.eml</c>, so development needs no mail server and
/// any mail client can open what the portal sent.
/// </summary>
public sealed class PickupDirectoryEmailTransport(IOptions<EmailOptions> options, IHostEnvironment environment, TimeProvider time) : IEmailTransport
{
    private const string StagingFolder = ".staging";

    private static readonly FormatOptions Format = CreateFormat();

    public string DirectoryPath => Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.PickupDirectory));

    public static string FileName(OutboxMessage message, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Create(CultureInfo.InvariantCulture, $"{sentAt.UtcDateTime:yyyyMMddHHmmss}-{message.Id}.eml");
    }

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sentAt = time.GetUtcNow();
        var directory = DirectoryPath;
        using var mime = OutboxMail.Create(message, options.Value.FromMailbox(), sentAt);
        // Written beside the folder on the same disk, then renamed into place in one atomic step, so a
        // reader of the pickup folder never sees half a mail.
        var staging = Path.Combine(directory, StagingFolder);
        Directory.CreateDirectory(staging);
        var partial = Path.Combine(staging, message.Id.ToString("N") + ".eml");
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await mime.WriteToAsync(Format, file, cancellationToken);
            }

            File.Move(partial, Path.Combine(directory, FileName(message, sentAt)), overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        // RFC 5322 line ends, as the message would cross the wire, whatever the host's convention.
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
