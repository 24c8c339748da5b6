using System.Globalization;
using PrivacyPortal.Features.Email;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>Mails as the portal composes them, in the languages with letters beyond ASCII.</summary>
internal static class TestMails
{
    public const string NorwegianSubject = "Logg inn på personvernportalen – Innore AS, Ålesund, Øvre gate (æøå ÆØÅ)";
    public const string NorwegianBody = "Hei Kari Nordmann! Trykk på knappen for å logge inn. Blåbærsyltetøy på brødskiva.";
    public const string EstonianSubject = "Logi sisse privaatsusportaali – Innore OÜ, Tõnismägi, Pärnu (õäöü ÕÄÖÜ šž)";
    public const string EstonianBody = "Tere, Mari Maasikas! Jõudsime öösel Pärnusse; vajuta nuppu, et sisse logida.";

    public static EmailContent Norwegian(string? code = null) => Compose("nb", NorwegianSubject, NorwegianBody, code);

    public static EmailContent Estonian(string? code = null) => Compose("et", EstonianSubject, EstonianBody, code);

    public static EmailContent Plain(int number) => Compose("en", $"Test mail {number}", $"Body of mail {number}.", null);

    private static EmailContent Compose(string culture, string subject, string body, string? code) =>
        EmailComposer.Compose(new EmailDraft(
            CultureInfo.GetCultureInfo(culture),
            subject,
            subject,
            [body],
            ["Innore OÜ · 12345678 · Tallinn · privacy@innore.eu"])
        {
            Code = code,
            Action = new EmailAction(new Uri("http://localhost:5080/nb/login/confirm?token=abc"), "Logg inn"),
        });
}
