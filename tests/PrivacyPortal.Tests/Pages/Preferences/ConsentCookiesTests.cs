using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Preferences;

/// <summary>
/// The personalised-advertising consent is what marketing cookies are for (policy §10: "Marketing
/// cookies — personalised advertising"), so withdrawing it withdraws them too.
/// </summary>
public sealed class ConsentCookiesTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Withdrawing_personalised_ads_also_withdraws_marketing_cookies_with_a_new_proof_row_and_the_browser_follows()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola);
        var ola = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Ola);
        using (await HtmlForm.From(client, await client.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        var accepted = await LatestAsync(ola);
        Assert.Contains("marketing", accepted.CategoryIds);
        var ads = PreferenceKey.Consent("innore-ee", "personalised-ads");
        using (await IndexTests.PressAsync(client, ads))
        {
        }

        // Giving the consent leaves the cookie choice as it was.
        Assert.Equal(accepted.Id, (await LatestAsync(ola)).Id);
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));
        using (var withdrawn = await IndexTests.PressAsync(client, ads))
        {
            Assert.Equal("/en/preferences?status=saved&changed=innore-ee%2FConsent%2Fpersonalised-ads", withdrawn.Headers.Location!.OriginalString);
        }

        var row = await LatestAsync(ola);
        Assert.NotEqual(accepted.Id, row.Id);
        Assert.Equal(CookieConsentAction.WithdrawnWithConsent, row.Action);
        Assert.Equal(accepted.ConsentId, row.ConsentId);
        Assert.Equal(accepted.CategoryIds.Where(c => c != "marketing"), row.CategoryIds);
        // The rest keeps the time it was given at: a withdrawal does not prolong it.
        Assert.Equal(accepted.GivenAt, row.GivenAt);
        Assert.Equal(_factory.Clock.GetUtcNow(), row.RecordedAt);
        Assert.Equal(2, await PortalTestSession.QueryAsync(_factory, db => db.Set<CookieConsentRecord>().CountAsync(r => r.SubjectId == ola)));

        // This browser's settings say so, and its history names why.
        var settings = await client.GetPageAsync("/en/cookies");
        Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)settings.QuerySelector("input[name=Categories][value=marketing]")!).IsChecked);
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)settings.QuerySelector("input[name=Categories][value=analytics]")!).IsChecked);
        Assert.Contains("Withdrawn with your consent to personalised advertising", settings.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdrawing_a_consent_without_cookies_or_with_marketing_cookies_already_off_writes_no_cookie_row()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola);
        var ola = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Ola);
        using (await HtmlForm.From(client, await client.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-reject"))
        {
        }

        foreach (var key in new[] { PreferenceKey.Consent("innore-no", "prospect-marketing"), PreferenceKey.Consent("innore-no", "personalised-ads") })
        {
            using (await IndexTests.PressAsync(client, key))
            using (await IndexTests.PressAsync(client, key))
            {
            }
        }

        var rows = await PortalTestSession.QueryAsync(_factory, db => db.Set<CookieConsentRecord>().Where(r => r.SubjectId == ola).ToListAsync());
        Assert.Equal(CookieConsentAction.RejectAll, Assert.Single(rows).Action);
    }

    private Task<CookieConsentRecord> LatestAsync(Guid subjectId) =>
        PortalTestSession.QueryAsync(_factory, db => db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId).OrderByDescending(r => r.Id).FirstAsync());
}
