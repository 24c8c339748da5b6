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
        options.Smtp.Security = SmtpSecurity.None;
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
    [InlineData(550, true)] // mailbox unavailable
    [InlineData(554, true)] // transaction failed
    [InlineData(552, true)] // message too large
    [InlineData(450, false)] // mailbox busy
    [InlineData(421, false)] // service not available
    [InlineData(451, false)] // local error
    [InlineData(530, false)] // authentication or STARTTLS required: the portal's settings, not the mail
    [InlineData(535, false)] // authentication failed
    public void Smtp_replies_are_permanent_only_for_5xx_about_the_mail(int code, bool permanent) =>
        Assert.Equal(permanent, SmtpEmailTransport.Classify(
            new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted, (MailKit.Net.Smtp.SmtpStatusCode)code, "reply")).IsPermanent);

    [Fact]
    public void A_connection_carries_a_bounded_number_of_mails()
    {
        var options = Valid();
        options.Smtp.MaxMailsPerConnection = 0;
        Assert.Contains(Errors(options), e => e.Contains("MaxMailsPerConnection", StringComparison.Ordinal));
    }
}
