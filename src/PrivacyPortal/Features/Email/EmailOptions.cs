using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Mail;
using MimeKit;

namespace PrivacyPortal.Features.Email;

public enum EmailTransportKind
{
    /// <summary>Deliver to an SMTP server (production).</summary>
    Smtp,

    /// <summary>Write one <c>.eml</c> file per mail into <see cref="EmailOptions.PickupDirectory"/> (development).</summary>
    Pickup,
}

/// <summary>How the outbox's mails leave the portal. Bound from <c>Email</c>.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Email";

    public EmailTransportKind Transport { get; set; } = EmailTransportKind.Smtp;

    /// <summary>Sender as display name and address, e.g. <c>Innore privacy portal &lt;privacy@innore.eu&gt;</c>.</summary>
    [Required]
    public string From { get; set; } = "";

    /// <summary>Folder for <see cref="EmailTransportKind.Pickup"/>, relative to the content root unless absolute.</summary>
    public string PickupDirectory { get; set; } = "App_Data/mail";

    public SmtpOptions Smtp { get; set; } = new();

    public OutboxDispatcherOptions Dispatcher { get; set; } = new();

    /// <summary>
    /// Keep the body of a delivered mail that holds a sign-in link or code. Off by default: the
    /// database should hold tokens only as hashes. Development turns it on for /dev/mailbox.
    /// </summary>
    public bool KeepSecretsAfterSending { get; set; }

    /// <summary>The parsed <see cref="From"/>; validation guarantees it parses.</summary>
    public MailAddress FromAddress() => new(From);

    /// <summary><see cref="From"/> as the sender of a MIME message.</summary>
    public MailboxAddress FromMailbox()
    {
        var from = FromAddress();
        return new MailboxAddress(from.DisplayName, from.Address);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MailAddress.TryCreate(From, out _))
        {
            yield return new ValidationResult(
                $"Email:From '{From}' is not a mail address such as 'Portal <privacy@example.com>'.", [nameof(From)]);
        }

        switch (Transport)
        {
            case EmailTransportKind.Smtp:
                foreach (var error in Smtp.Validate())
                {
                    yield return error;
                }

                break;
            case EmailTransportKind.Pickup when string.IsNullOrWhiteSpace(PickupDirectory):
                yield return new ValidationResult("Email:PickupDirectory is required when Email:Transport is Pickup.", [nameof(PickupDirectory)]);
                break;
        }

        foreach (var error in Dispatcher.Validate(Smtp.Timeout))
        {
            yield return error;
        }
    }
}

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Connect in clear text and upgrade with STARTTLS, which the server must offer (submission, port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: only for a relay on the same host or a test server.</summary>
    None,
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>587 is mail submission with STARTTLS.</summary>
    public int Port { get; set; } = 587;

    /// <summary>STARTTLS (port 587), TLS on connect (port 465), or none (a local relay).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one mail may take, from connecting to the server's answer to the data.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Mails sent over one connection before it is closed and a new one opened, so a long busy spell
    /// does not hold one connection (and one server-side session) forever.
    /// </summary>
    public int MaxMailsPerConnection { get; set; } = 100;

    internal IEnumerable<ValidationResult> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("Email:Smtp:Host is required when Email:Transport is Smtp.", ["Smtp.Host"]);
        }

        if (Port is < 1 or > 65535)
        {
            yield return new ValidationResult($"Email:Smtp:Port {Port} is not a TCP port.", ["Smtp.Port"]);
        }

        if (Timeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Email:Smtp:Timeout must be positive.", ["Smtp.Timeout"]);
        }

        if (MaxMailsPerConnection is < 1 or > 10_000)
        {
            yield return new ValidationResult("Email:Smtp:MaxMailsPerConnection must be between 1 and 10000.", ["Smtp.MaxMailsPerConnection"]);
        }

        if (!Enum.IsDefined(Security))
        {
            yield return new ValidationResult("Email:Smtp:Security must be StartTls, SslOnConnect or None.", ["Smtp.Security"]);
        }

        if (!string.IsNullOrEmpty(UserName) && Security == SmtpSecurity.None && !IsLoopback(Host))
        {
            yield return new ValidationResult(
                "Email:Smtp:UserName is set but Email:Smtp:Security is None: the password would cross the network in clear text.",
                ["Smtp.Security"]);
        }
    }

    private static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}

public sealed class OutboxDispatcherOptions
{
    /// <summary>How often the outbox is looked at when nobody signals a new mail.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Mails one dispatcher claims at a time.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>
    /// Mails of a batch sent at once, each over its own SMTP connection (kept for the next mail while the
    /// outbox is busy). One SMTP exchange is mostly waiting for the server, so a few in parallel multiply
    /// throughput without load on the mail server that matters.
    /// </summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How long a claimed batch is this instance's alone; after that another instance may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Permanent (5xx) refusals after which a mail is given up as dead. Transient failures never count.</summary>
    public int MaxPermanentFailures { get; set; } = 5;

    /// <summary>First retry delay; it doubles with each attempt, with jitter, up to <see cref="BackoffCap"/>.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest retry delay, so a mail goes out soon after a long mail server outage ends.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);

    internal IEnumerable<ValidationResult> Validate(TimeSpan sendTimeout)
    {
        if (PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Email:Dispatcher:PollInterval must be positive.", ["Dispatcher.PollInterval"]);
        }

        if (BatchSize is < 1 or > 1000)
        {
            yield return new ValidationResult("Email:Dispatcher:BatchSize must be between 1 and 1000.", ["Dispatcher.BatchSize"]);
        }

        if (Concurrency is < 1 or > 32)
        {
            yield return new ValidationResult("Email:Dispatcher:Concurrency must be between 1 and 32.", ["Dispatcher.Concurrency"]);
        }

        // A mail is only started while the lease has at least one send timeout left, so the lease must hold two.
        if (LeaseDuration < 2 * sendTimeout)
        {
            yield return new ValidationResult(
                $"Email:Dispatcher:LeaseDuration must be at least twice Email:Smtp:Timeout ({sendTimeout}).", ["Dispatcher.LeaseDuration"]);
        }

        if (MaxPermanentFailures < 1)
        {
            yield return new ValidationResult("Email:Dispatcher:MaxPermanentFailures must be at least 1.", ["Dispatcher.MaxPermanentFailures"]);
        }

        if (BackoffBase <= TimeSpan.Zero || BackoffCap < BackoffBase)
        {
            yield return new ValidationResult(
                "Email:Dispatcher:BackoffBase must be positive and Email:Dispatcher:BackoffCap at least as long.", ["Dispatcher.BackoffCap"]);
        }
    }
}
