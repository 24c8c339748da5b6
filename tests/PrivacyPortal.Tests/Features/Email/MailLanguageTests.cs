using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Tests.Pages.Preferences;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>Mails speak the language stored for the person, whatever page caused them, and so does their sender.</summary>
public sealed class MailLanguageTests
{
    [Fact]
    public async Task A_preference_change_on_the_english_page_is_confirmed_in_the_persons_norwegian()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");

        using (await IndexTests.PressAsync(kari, PreferenceKey.Newsletter("innore-no"), "en"))
        {
        }

        // The confirmation waits out its bundle window (Preferences:ConfirmationBundleWindow) before it goes.
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var mail = await host.NextMailAsync(PortalHost.Kari, m => m.Subject == "Markedsføringsvalgene dine er endret");
        Assert.Equal("Innore personvernportal", mail.From!.DisplayName);
        Assert.Equal("privacy@innore.eu", mail.From.Address);
    }

    [Fact]
    public async Task A_request_filed_on_the_english_page_is_answered_in_the_persons_estonian_from_an_estonian_sender()
    {
        using var host = new PortalHost();
        using var mari = await host.SignInAsync(PortalHost.Mari, "en");

        await RequestFlows.FileAsync(mari, "en", RequestKind.Access);

        var filed = (await host.MailsToAsync(PortalHost.Mari)).Single(m => m.Kind == "request-filed");
        Assert.StartsWith("Oleme teie taotluse", filed.Subject, StringComparison.Ordinal);
        Assert.Equal("Innore privaatsusportaal", filed.SenderName);
        var delivered = await host.NextMailAsync(PortalHost.Mari, m => m.Subject == filed.Subject);
        Assert.Equal("Innore privaatsusportaal", delivered.From!.DisplayName);
    }

    [Fact]
    public async Task English_mails_keep_the_english_sender_name()
    {
        using var host = new PortalHost();
        using var ola = await host.SignInAsync(PortalHost.Ola, "en");
        await host.DbAsync(async db =>
        {
            var user = db.Users.Single(u => u.Email == PortalHost.Ola);
            user.PreferredCulture = "en";
            return await db.SaveChangesAsync();
        });

        await RequestFlows.FileAsync(ola, "en", RequestKind.Access);

        var filed = (await host.MailsToAsync(PortalHost.Ola)).Single(m => m.Kind == "request-filed");
        Assert.Equal("Innore privacy portal", filed.SenderName);
    }
}
