using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Features.Email;

namespace PrivacyPortal.Tests.Features.Email;

public sealed class EmailOptionsTests
{
    private static List<string> Errors(EmailOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    private static EmailOptions Valid() => new()
    {
        Transport = EmailTransportKind.Smtp,
        From = "Innore privacy portal <privacy@innore.eu>",
        Smtp = new SmtpOptions { Host = "smtp.example.com" },
    };

    [Fact]
    public void A_complete_smtp_configuration_is_valid()
    {
        Assert.Empty(Errors(Valid()));
        Assert.Equal("Innore privacy portal", Valid().FromAddress().DisplayName);
    }

    [Fact]
    public void Smtp_needs_a_host_and_a_sender_address()
    {
        var options = Valid();
        options.Smtp.Host = null;
        options.From = "not an address";
        var errors = Errors(options);
        Assert.Contains(errors, e => e.Contains("Email:Smtp:Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Email:From", StringComparison.Ordinal));
    }

    [Fact]
    public void A_password_is_never_sent_in_clear_text_to_a_remote_server()
    {
        var options = Valid();
        options.Smtp.UserName = "portal";
        options.Smtp.Password = "secret";
        options.Smtp.EnableSsl = false;
        Assert.Contains(Errors(options), e => e.Contains("clear text", StringComparison.Ordinal));
        options.Smtp.Host = "127.0.0.1";
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void The_lease_must_outlast_two_send_timeouts()
    {
        var options = Valid();
        options.Dispatcher.LeaseDuration = TimeSpan.FromSeconds(45);
        Assert.Contains(Errors(options), e => e.Contains("LeaseDuration", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(System.Net.Mail.SmtpStatusCode.MailboxUnavailable, true)]
    [InlineData(System.Net.Mail.SmtpStatusCode.TransactionFailed, true)]
    [InlineData(System.Net.Mail.SmtpStatusCode.MailboxBusy, false)]
    [InlineData(System.Net.Mail.SmtpStatusCode.ServiceNotAvailable, false)]
    [InlineData(System.Net.Mail.SmtpStatusCode.GeneralFailure, false)]
    [InlineData((System.Net.Mail.SmtpStatusCode)535, false)]
    public void Smtp_replies_are_permanent_only_for_5xx_about_the_mail(System.Net.Mail.SmtpStatusCode code, bool permanent) =>
        Assert.Equal(permanent, SmtpEmailTransport.Classify(new System.Net.Mail.SmtpException(code, "reply")).IsPermanent);
}
