using System.Globalization;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Writes each mail as a complete RFC 5322 message to <c>{PickupDirectory}/{sentAt:yyyyMMddHHmmss}-{id}.eml</c>,
/// so development needs no mail server and any mail client can open what the portal sent.
/// </summary>
public sealed class PickupDirectoryEmailTransport(IOptions<EmailOptions> options, IHostEnvironment environment, TimeProvider time) : IEmailTransport
{
    private const string StagingFolder = ".staging";

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
        // SmtpClient names its files with a random GUID; a folder of its own per mail, on the same
        // disk, lets the finished file be found and renamed into place in one atomic step, so a
        // reader of the pickup folder never sees half a mail.
        var staging = Path.Combine(directory, StagingFolder, message.Id.ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            using (var mail = OutboxMail.Create(message, options.Value.FromAddress()))
            using (var client = new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
                PickupDirectoryLocation = staging,
            })
            {
                await client.SendMailAsync(mail, cancellationToken);
            }

            var written = Directory.GetFiles(staging, "*.eml").Single();
            File.Move(written, Path.Combine(directory, FileName(message, sentAt)), overwrite: true);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }
}
