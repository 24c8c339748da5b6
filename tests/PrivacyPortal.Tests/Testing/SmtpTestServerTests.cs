using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using PrivacyPortal.Testing.Smtp;

namespace PrivacyPortal.Tests.Testing;

// Mails are produced by System.Net.Mail.SmtpClient, which the portal sends with, and received by the
// real aiosmtpd, so the parser is proven against what actually goes over the wire.
public sealed class SmtpTestServerTests(SmtpTestServer smtp) : IClassFixture<SmtpTestServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Norwegian_quoted_printable_mail_is_decoded()
    {
        using var message = new MailMessage(
            new MailAddress("personvern@innore.example", "Innore – Personvern", Encoding.UTF8),
            new MailAddress("kari.nordmann@example.no", "Kari Nordmann Ærø", Encoding.UTF8))
        {
            Subject = "Logg inn – ÆØÅ æøå",
            SubjectEncoding = Encoding.UTF8,
            Body = "Hei Kari,\r\n\r\nKoden din er 482913. Åpne lenken for å logge inn:\r\n"
                + "https://portal.example/nb/login/confirm?token=abc_DEF-123\r\n\r\nHilsen Innore – ÆØÅ æøå\r\n"
                + new string('x', 120) + "\r\n",
            BodyEncoding = Encoding.UTF8,
            BodyTransferEncoding = TransferEncoding.QuotedPrintable,
        };

        await SendAsync(message);
        var mail = await smtp.WaitForMailAsync("kari.nordmann@example.no", null, Timeout);

        Assert.Equal("Logg inn – ÆØÅ æøå", mail.Subject);
        Assert.Equal("personvern@innore.example", mail.From?.Address);
        Assert.Equal("Innore – Personvern", mail.From?.DisplayName);
        Assert.Equal("Kari Nordmann Ærø", Assert.Single(mail.To).DisplayName);
        Assert.Contains("Åpne lenken for å logge inn:", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Hilsen Innore – ÆØÅ æøå", mail.TextBody, StringComparison.Ordinal);
        // A long line is wrapped with soft line breaks in transit and must come back whole.
        Assert.Contains(new string('x', 120), mail.TextBody, StringComparison.Ordinal);
        Assert.Null(mail.HtmlBody);
        Assert.Equal("482913", mail.FindCode());
        Assert.Equal(new Uri("https://portal.example/nb/login/confirm?token=abc_DEF-123"), mail.FindLink("/login/confirm"));
    }

    [Fact]
    public async Task Estonian_multipart_alternative_base64_mail_is_decoded()
    {
        using var message = new MailMessage(
            new MailAddress("privaatsus@innore.example"),
            new MailAddress("mari.maasikas@example.ee"))
        {
            Subject = "Sisselogimine – õäöü",
            SubjectEncoding = Encoding.UTF8,
            Body = "Tere, Mari! Kood: 105377. Sisselogimiseks ava https://portal.example/et/login/confirm?token=t0k&x=1 .",
            BodyEncoding = Encoding.UTF8,
            BodyTransferEncoding = TransferEncoding.Base64,
        };
        var html = AlternateView.CreateAlternateViewFromString(
            "<p>Tere, Mari! Šokolaad ja õun.</p><p><a href=\"https://portal.example/et/login/confirm?token=t0k&amp;x=1\">Logi sisse – õäöü</a></p>",
            Encoding.UTF8,
            MediaTypeNames.Text.Html);
        html.TransferEncoding = TransferEncoding.Base64;
        message.AlternateViews.Add(html);

        await SendAsync(message);
        var mail = await smtp.WaitForMailAsync("mari.maasikas@example.ee", null, Timeout);

        Assert.Equal("multipart/alternative", mail.Message.MediaType);
        Assert.Equal("Sisselogimine – õäöü", mail.Subject);
        Assert.Contains("Tere, Mari!", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Šokolaad ja õun.", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Logi sisse – õäöü", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("105377", mail.FindCode());
        // The text link and the HTML link (with &amp; decoded) are the same link.
        Assert.Equal("https://portal.example/et/login/confirm?token=t0k&x=1", mail.FindLink("/et/login/confirm").OriginalString);
    }

    [Fact]
    public async Task Attachment_does_not_count_as_the_body_and_envelope_recipients_include_bcc()
    {
        using var message = new MailMessage("dpo@innore.example", "ola.hansen@bygg.example.no")
        {
            Subject = "Eksport",
            Body = "Vedlagt.",
        };
        message.Bcc.Add("audit@innore.example");
        using var attachment = new Attachment(new MemoryStream(Encoding.UTF8.GetBytes("{\"kode\":\"999999\"}")), "data.json", "application/json");
        message.Attachments.Add(attachment);

        await SendAsync(message);
        var mail = await smtp.WaitForMailAsync("audit@innore.example", m => m.Subject == "Eksport", Timeout);

        Assert.Equal("multipart/mixed", mail.Message.MediaType);
        Assert.Equal("Vedlagt.", mail.TextBody);
        Assert.Null(mail.TryFindCode());
        Assert.True(mail.IsAddressedTo("OLA.HANSEN@bygg.example.no"));
        var json = Assert.Single(mail.Message.DescendantsAndSelf(), e => e.IsAttachment);
        Assert.Equal("{\"kode\":\"999999\"}", json.Text);
    }

    [Fact]
    public async Task Waiting_for_a_mail_that_never_comes_times_out_and_lists_what_came()
    {
        using var message = new MailMessage("a@innore.example", "someone@example.ee") { Subject = "Not this one" };
        await SendAsync(message);
        await smtp.WaitForMailAsync("someone@example.ee", null, Timeout);

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => smtp.WaitForMailAsync("someone@example.ee", m => m.Subject == "That one", TimeSpan.FromMilliseconds(300)));
        Assert.Contains("Not this one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_refuses_mail_and_start_accepts_it_again_on_the_same_port()
    {
        using var own = new SmtpTestServer();
        var port = own.Port;
        using var message = new MailMessage("a@innore.example", "retry@example.no") { Subject = "After restart" };

        own.Stop();
        Assert.False(own.IsRunning);
        await Assert.ThrowsAsync<SmtpException>(() => SendAsync(message, own));

        own.Start();
        Assert.Equal(port, own.Port);
        await SendAsync(message, own);
        var mail = await own.WaitForMailAsync("retry@example.no", null, Timeout);
        Assert.Equal("After restart", mail.Subject);

        own.Clear();
        Assert.Empty(own.All);
    }

    [Fact]
    public async Task All_lists_mails_in_the_order_they_arrived()
    {
        using var own = new SmtpTestServer();
        for (var i = 1; i <= 3; i++)
        {
            using var message = new MailMessage("a@innore.example", "order@example.no") { Subject = $"Mail {i}" };
            await SendAsync(message, own);
        }

        await own.WaitForMailAsync("order@example.no", m => m.Subject == "Mail 3", Timeout);
        Assert.Equal(["Mail 1", "Mail 2", "Mail 3"], own.All.Select(m => m.Subject));
    }

    private async Task SendAsync(MailMessage message, SmtpTestServer? server = null)
    {
        server ??= smtp;
        using var client = new SmtpClient(server.Host, server.Port) { DeliveryMethod = SmtpDeliveryMethod.Network };
        await client.SendMailAsync(message);
    }
}
