using System.Text;
using PrivacyPortal.Testing.Smtp;

namespace PrivacyPortal.Tests.Testing;

// Hand-written messages for the encodings SmtpClient does not produce but other senders do.
public sealed class MimeEntityTests
{
    [Fact]
    public void Q_encoded_words_split_inside_a_character_are_joined_before_decoding()
    {
        // "Æ" is C3 86 in UTF-8; the encoder split it across two adjacent words.
        var mail = Parse("Subject: =?UTF-8?Q?Hei_=C3?= =?utf-8?Q?=86r=C3=B8?= og resten\r\n\r\nx");

        Assert.Equal("Hei Ærø og resten", mail.Subject);
    }

    [Fact]
    public void Folded_headers_and_text_between_encoded_words_are_kept()
    {
        var mail = Parse("Subject: Tere =?utf-8?B?w7VuZQ==?=\r\n and =?iso-8859-1?Q?=E6?= end\r\n\r\nx");

        Assert.Equal("Tere õne and æ end", mail.Subject);
    }

    [Fact]
    public void Quoted_printable_soft_breaks_and_utf8_bytes_decode_with_lf_line_endings()
    {
        var mail = Parse(
            "Content-Type: text/plain; charset=\"utf-8\"\n"
            + "Content-Transfer-Encoding: quoted-printable\n\n"
            + "Bl=C3=A5b=C3=A6r=\nsyltet=C3=B8y   \nlinje 2 =3D ferdig");

        Assert.Equal("Blåbærsyltetøy\nlinje 2 = ferdig", mail.TextBody);
    }

    [Fact]
    public void Nested_multiparts_yield_text_and_html_but_not_attachments()
    {
        var mail = Parse("""
            Content-Type: multipart/mixed; boundary="outer"

            preamble
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=utf-8

            plain 123456
            --inner
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            PHA+aHRtbCDDpjwvcD4=
            --inner--
            --outer
            Content-Type: text/plain
            Content-Disposition: attachment; filename="notes.txt"

            attached 654321
            --outer--
            epilogue
            """);

        Assert.Equal("plain 123456", mail.TextBody);
        Assert.Equal("<p>html æ</p>", mail.HtmlBody);
        Assert.Equal("123456", mail.FindCode());
        Assert.Equal(5, mail.Message.DescendantsAndSelf().Count());
    }

    [Fact]
    public void Codes_inside_links_do_not_count_and_two_codes_are_ambiguous()
    {
        var one = Parse("Subject: x\r\n\r\nOpen https://p.example/c/123456 or type 777888.");
        var two = Parse("Subject: x\r\n\r\nCodes 111111 and 222222.");

        Assert.Equal("777888", one.FindCode());
        Assert.Throws<InvalidOperationException>(() => two.FindCode());
        Assert.Null(two.TryFindCode());
    }

    [Fact]
    public void FindLink_refuses_to_guess_between_different_links()
    {
        var mail = Parse("Subject: x\r\n\r\nhttps://p.example/en/login/confirm?token=a and https://p.example/en/login.");

        Assert.Equal(
            ["https://p.example/en/login/confirm?token=a", "https://p.example/en/login"],
            mail.Links.Select(l => l.OriginalString));
        Assert.Throws<InvalidOperationException>(() => mail.FindLink("/en/login"));
        Assert.Throws<InvalidOperationException>(() => mail.FindLink("/nowhere"));
        Assert.Equal("https://p.example/en/login/confirm?token=a", mail.FindLink("confirm").OriginalString);
    }

    private static ReceivedMail Parse(string raw) => ReceivedMail.Parse(Encoding.Latin1.GetBytes(raw));
}
