using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Preferences;

public sealed class IndexTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_and_back()
    {
        using var client = _factory.CreateCookieAwareClient();

        using var response = await client.GetAsync("/nb/preferences");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/nb/login?returnUrl=%2Fnb%2Fpreferences", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_demo_people_have_the_preferences_and_cookie_choice_the_design_gives_them()
    {
        using var kari = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, kari, PortalTestSession.Kari);
        var page = await kari.GetPageAsync("/en/preferences");
        Assert.Contains("You are subscribed", page.QuerySelector("#pref-innore-no-newsletter")!.TextContent, StringComparison.Ordinal);
        var history = Assert.Single(page.QuerySelectorAll("#history tbody tr")).TextContent;
        Assert.Contains("INNORE AS newsletter", history, StringComparison.Ordinal);
        Assert.Contains("Store", history, StringComparison.Ordinal);

        // Mari signs in on a fresh browser: her consent is on the page, her cookie choice follows her.
        using var mari = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, mari, PortalTestSession.Mari);
        page = await mari.GetPageAsync("/en/preferences");
        Assert.Contains("Given on", page.QuerySelector("#pref-innore-ee-prospect-marketing")!.TextContent, StringComparison.Ordinal);
        var mariId = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        var cookies = await PortalTestSession.QueryAsync(_factory, db => db.Set<PrivacyPortal.Features.Cookies.CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == mariId).OrderBy(r => r.Id).ToListAsync());
        Assert.Contains("analytics", cookies[0].CategoryIds);
        Assert.DoesNotContain("marketing", cookies[0].CategoryIds);
        var settings = await mari.GetPageAsync("/en/cookies");
        Assert.Null(settings.QuerySelector("#cookie-banner"));
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)settings.QuerySelector("input[name=Categories][value=analytics]")!).IsChecked);
    }

    [Fact]
    public async Task Every_preference_of_the_policy_is_on_the_page_and_each_transition_writes_one_history_row_and_a_mail()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola);
        var ola = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Ola);
        var policy = _factory.Services.GetRequiredService<PolicyCatalog>();
        var keys = PreferenceKey.AllOf(policy);

        var page = await client.GetPageAsync("/en/preferences");
        var onPage = page.QuerySelectorAll("button[data-preference]").Select(b => b.GetAttribute("data-preference")).ToList();
        Assert.Equal(keys.Select(Id), onPage);
        Assert.Equal(2, page.QuerySelectorAll("button[data-object-all]").Length);
        Assert.Contains("Innore OÜ", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("INNORE AS", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        foreach (var key in keys)
        {
            // There and back again: off→on→off for newsletters and consents, on→objected→on (consent anew) for direct marketing.
            // Ola's company has invoices at both companies, so he is an existing customer of each.
            var byDefault = key.DefaultEnabled(existingCustomer: true);
            foreach (var (expected, version) in new[] { (!byDefault, 1), (byDefault, 2) })
            {
                var mailsBefore = await PortalTestSession.QueryAsync(_factory, db => db.Outbox.CountAsync(m => m.Kind == "preferences-changed"));
                // Past the previous confirmation's bundle window: this change gets a mail of its own.
                _factory.Clock.Advance(TimeSpan.FromMinutes(3));
                using var response = await PressAsync(client, key);
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Equal("/en/preferences?status=saved&changed=" + Uri.EscapeDataString(Id(key)), response.Headers.Location!.OriginalString);

                var rows = await RowsAsync(ola, key);
                Assert.Equal(version, rows.Count);
                var row = rows[^1];
                Assert.Equal(expected, row.Enabled);
                Assert.Equal(version, row.Version);
                Assert.Equal(PreferenceActorKind.Person, row.Actor);
                Assert.Equal(ola, row.ActorId);
                Assert.Equal(PreferenceChannel.Portal, row.Channel);
                Assert.Equal(policy.Revision, row.PolicyRevision);
                Assert.Equal(_factory.Clock.GetUtcNow(), row.OccurredAt);
                Assert.Equal(mailsBefore + 1, await PortalTestSession.QueryAsync(_factory, db => db.Outbox.CountAsync(m => m.Kind == "preferences-changed" && m.To == PortalTestSession.Ola)));
            }
        }

        var history = (await client.GetPageAsync("/en/preferences")).QuerySelectorAll("#history tbody tr");
        Assert.Equal(keys.Count * 2, history.Length);
    }

    [Fact]
    public async Task The_page_reads_the_current_state_and_the_history_in_norwegian()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola, "nb");

        using (await PressAsync(client, PreferenceKey.Newsletter("innore-no"), "nb"))
        {
        }

        var page = await client.GetPageAsync("/nb/preferences?status=saved&changed=innore-no%2FNewsletter%2Fnewsletter");
        Assert.Equal("Dine valg for markedsføring", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("INNORE AS – Nyhetsbrev fra INNORE AS: abonnerer. Vi sender deg en bekreftelse", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Du abonnerer", page.QuerySelector("#pref-innore-no-newsletter")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Meld meg av", page.QuerySelector("#pref-innore-no-newsletter button")!.TextContent, StringComparison.Ordinal);
        var row = page.QuerySelector("#history tbody tr")!.TextContent;
        Assert.Contains("Nyhetsbrev fra INNORE AS", row, StringComparison.Ordinal);
        Assert.Contains("abonnerer", row, StringComparison.Ordinal);
        Assert.Contains("Denne portalen", row, StringComparison.Ordinal);
        var mail = await PortalTestSession.QueryAsync(_factory, db => db.Outbox.AsNoTracking().SingleAsync(m => m.Kind == "preferences-changed"));
        Assert.Equal("Markedsføringsvalgene dine er endret", mail.Subject);
        Assert.Contains("INNORE AS – Nyhetsbrev fra INNORE AS: abonnerer", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Direct_marketing_is_an_objection_where_the_person_is_a_customer_and_a_consent_off_by_default_elsewhere()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);

        // Kari ordered from INNORE AS; Innore OÜ only manufactured for it and never sold to her.
        var page = await client.GetPageAsync("/en/preferences");
        var customerOf = page.QuerySelector("#company-innore-no [data-direct-marketing]")!;
        Assert.Equal("objection", customerOf.GetAttribute("data-direct-marketing"));
        Assert.Contains("Allowed.", customerOf.QuerySelector("#pref-innore-no-email")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Object", customerOf.QuerySelector("#pref-innore-no-email button")!.TextContent, StringComparison.Ordinal);
        var prospectOf = page.QuerySelector("#company-innore-ee [data-direct-marketing]")!;
        Assert.Equal("consent", prospectOf.GetAttribute("data-direct-marketing"));
        Assert.Contains("You have not bought from Innore OÜ", prospectOf.TextContent, StringComparison.Ordinal);
        Assert.Contains("Not given.", prospectOf.QuerySelector("#pref-innore-ee-email")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Give consent", prospectOf.QuerySelector("#pref-innore-ee-email button")!.TextContent, StringComparison.Ordinal);

        var state = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<MarketingPreferenceState>().LoadAsync(kari, default));
        Assert.True(state[PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Sms)].Enabled);
        Assert.False(state[PreferenceKey.DirectMarketing("innore-ee", MarketingChannel.Sms)].Enabled);
        Assert.False(state[PreferenceKey.DirectMarketing("innore-ee", MarketingChannel.Sms)].IsObjection);

        // Giving it is her choice, one click, and so is withdrawing it again.
        var key = PreferenceKey.DirectMarketing("innore-ee", MarketingChannel.Email);
        using (var given = await PressAsync(client, key))
        {
            Assert.Equal("/en/preferences?status=saved&changed=" + Uri.EscapeDataString(Id(key)), given.Headers.Location!.OriginalString);
        }

        page = await client.GetPageAsync("/en/preferences");
        Assert.Contains("Given on", page.QuerySelector("#pref-innore-ee-email")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Withdraw consent", page.QuerySelector("#pref-innore-ee-email button")!.TextContent, StringComparison.Ordinal);
        using (await PressAsync(client, key))
        {
        }

        var rows = await RowsAsync(kari, key);
        Assert.Equal([true, false], rows.Select(r => r.Enabled));
        Assert.All(rows, r => Assert.Equal(PreferenceActorKind.Person, r.Actor));
    }

    [Theory]
    [InlineData("innore-no/Newsletter")]
    [InlineData("innore-no/2/newsletter")]
    [InlineData("nobody/Newsletter/newsletter")]
    [InlineData("innore-no/Newsletter/../../etc")]
    public async Task A_saved_notice_naming_an_unknown_preference_says_only_that_the_choice_is_saved(string changed)
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);

        var page = await client.GetPageAsync("/en/preferences?status=saved&changed=" + Uri.EscapeDataString(changed) + "&x=" + new string('a', 5000));

        Assert.Equal("Your choice is saved. We will email you a confirmation within a few minutes.", page.QuerySelector("#preferences-status")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_double_click_writes_one_record_and_says_nothing_changed_the_second_time()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var key = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email);
        var page = await client.GetPageAsync("/en/preferences");
        var form = FormOf(client, page, key);

        using (var first = await form.SubmitAsync())
        using (var second = await form.SubmitAsync())
        {
            Assert.Equal("/en/preferences?status=saved&changed=" + Uri.EscapeDataString(Id(key)), first.Headers.Location!.OriginalString);
            Assert.Equal("/en/preferences?status=unchanged&changed=" + Uri.EscapeDataString(Id(key)), second.Headers.Location!.OriginalString);
        }

        // And truly at the same time: the unique version lets only one of them write.
        var again = FormOf(client, await client.GetPageAsync("/en/preferences"), key);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => again.SubmitAsync()));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            response.Dispose();
        }

        var rows = await RowsAsync(kari, key);
        Assert.Equal([false, true], rows.Select(r => r.Enabled));
        Assert.Equal([1, 2], rows.Select(r => r.Version));
    }

    [Fact]
    public async Task Object_to_everything_per_company_and_for_the_group_stops_only_what_was_on()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Mari);
        var mari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        using (await PressAsync(client, PreferenceKey.Consent("innore-ee", "prospect-marketing")))
        using (await PressAsync(client, PreferenceKey.Newsletter("innore-no")))
        {
        }

        // Each step after the previous confirmation's bundle window, so each gets its own mail.
        _factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var page = await client.GetPageAsync("/en/preferences");
        using (var company = await HtmlForm.From(client, page, "form:has(button[data-object-all='innore-ee'])").SubmitAsync())
        {
            Assert.Equal("/en/preferences?status=saved", company.Headers.Location!.OriginalString);
        }

        var afterCompany = await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == mari && r.Version > 1 || r.SubjectId == mari && !r.Enabled).ToListAsync());
        // Innore OÜ: three channel objections and the withdrawn consent; its newsletter and the other consent were never on.
        Assert.Equal(
            ["innore-ee/DirectMarketing/email", "innore-ee/DirectMarketing/phone", "innore-ee/DirectMarketing/sms", "innore-ee/Consent/prospect-marketing"],
            afterCompany.OrderBy(r => r.Kind).ThenBy(r => r.Target).Select(r => Id(new PreferenceKey(r.ControllerId, r.Kind, r.Target))));

        _factory.Clock.Advance(TimeSpan.FromMinutes(3));
        page = await client.GetPageAsync("/en/preferences");
        using (var group = await HtmlForm.From(client, page, "form:has(button[data-object-all='innore-no'])").SubmitAsync())
        {
            Assert.Equal("/en/preferences?status=saved", group.Headers.Location!.OriginalString);
        }

        var state = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<MarketingPreferenceState>().LoadAsync(mari, default));
        Assert.All(state.Values, p => Assert.False(p.Enabled, Id(p.Key)));
        page = await client.GetPageAsync("/en/preferences");
        using (var again = await HtmlForm.From(client, page, "form:has(button[data-object-all='innore-no'])").SubmitAsync())
        {
            Assert.Equal("/en/preferences?status=unchanged", again.Headers.Location!.OriginalString);
        }

        // The two quick presses share one mail; each objection has its own; the unchanged one has none.
        var mails = await PortalTestSession.QueryAsync(_factory, db => db.Outbox.CountAsync(m => m.Kind == "preferences-changed"));
        Assert.Equal(3, mails);
    }

    [Fact]
    public async Task A_forged_post_without_token_and_a_post_replayed_into_another_session_change_nothing()
    {
        using var kariClient = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, kariClient, PortalTestSession.Kari);
        var key = PreferenceKey.Newsletter("innore-ee");
        var kariForm = FormOf(kariClient, await kariClient.GetPageAsync("/en/preferences"), key);

        var forgedFields = kariForm.Fields.Where(f => f.Key != HtmlForm.AntiforgeryFieldName).ToList();
        using (var forged = await kariClient.PostFormAsync("/en/preferences?handler=Change", forgedFields))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            var page = await CookieAwareClientParse(forged);
            Assert.Contains("The form had expired, so nothing was changed", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
            // The change is offered again, for one deliberate click.
            Assert.NotNull(page.QuerySelector("#pending-confirm"));
        }

        using var mariClient = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, mariClient, PortalTestSession.Mari);
        using (var replayed = await mariClient.PostFormAsync("/en/preferences?handler=Change", kariForm.Fields))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        }

        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
    }

    [Theory]
    [InlineData("innore-xx", "Newsletter", "newsletter")]
    [InlineData("innore-ee", "Newsletter", "weekly")]
    [InlineData("innore-ee", "DirectMarketing", "fax")]
    [InlineData("innore-ee", "Consent", "sell-my-data")]
    [InlineData("innore-ee", "Everything", "newsletter")]
    [InlineData("innore-ee", "2", "prospect-marketing")]
    [InlineData("", "Newsletter", "newsletter")]
    public async Task Unknown_companies_kinds_and_choices_get_a_clear_message_and_change_nothing(string controller, string kind, string target)
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var form = FormOf(client, await client.GetPageAsync("/en/preferences"), PreferenceKey.Newsletter("innore-ee"));
        var fields = form.Fields.Select(f => f.Key switch
        {
            "Input.Controller" => KeyValuePair.Create(f.Key, controller),
            "Input.Kind" => KeyValuePair.Create(f.Key, kind),
            "Input.Target" => KeyValuePair.Create(f.Key, target),
            _ => f,
        });

        using var response = await client.PostFormAsync("/en/preferences?handler=Change", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await CookieAwareClientParse(response);
        Assert.Contains("We do not know this company or choice", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
    }

    [Theory]
    [InlineData("/en/preferences")]
    [InlineData("/en/preferences?handler=Nope")]
    public async Task A_post_naming_no_known_handler_gets_a_clear_message_or_the_sign_in_and_never_a_500(string url)
    {
        using var anonymous = _factory.CreateCookieAwareClient();
        using (var signedOut = await anonymous.PostFormAsync(url, [new("x", "1")]))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
            Assert.StartsWith("/en/login?returnUrl=", signedOut.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var form = FormOf(client, await client.GetPageAsync("/en/preferences"), PreferenceKey.Newsletter("innore-ee"));
        using var response = await client.PostFormAsync(url, form.Fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await CookieAwareClientParse(response);
        Assert.Contains("We do not know this company or choice", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
    }

    [Fact]
    public async Task An_unknown_company_in_object_to_all_is_refused()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var form = HtmlForm.From(client, await client.GetPageAsync("/en/preferences"), "form:has(button[data-object-all='innore-no'])");
        var fields = form.Fields.Select(f => f.Key == "Input.Controller" ? KeyValuePair.Create(f.Key, "acme") : f);

        using var response = await client.PostFormAsync("/en/preferences?handler=ObjectAll", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
    }

    [Fact]
    public async Task Nobody_can_change_another_persons_preferences_by_adding_an_id_to_the_form()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var mari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        var form = FormOf(client, await client.GetPageAsync("/en/preferences"), PreferenceKey.Newsletter("innore-ee"));
        var fields = form.Fields.Append(KeyValuePair.Create("SubjectId", mari.ToString())).Append(KeyValuePair.Create("Input.SubjectId", mari.ToString()));

        using var response = await client.PostFormAsync("/en/preferences?handler=Change", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rows = await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.OccurredAt >= PortalTestSession.TestStart).ToListAsync());
        Assert.Equal(kari, Assert.Single(rows).SubjectId);
    }

    [Fact]
    public async Task A_change_made_after_the_session_ended_survives_the_sign_in_and_is_saved_after_one_more_click()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "et");
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var key = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Sms);
        var form = FormOf(client, await client.GetPageAsync("/et/preferences"), key);

        _factory.Clock.Advance(TimeSpan.FromMinutes(31)); // past the idle timeout
        using var expired = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        var login = expired.Headers.Location!.OriginalString;
        Assert.StartsWith("/et/login?returnUrl=", login, StringComparison.Ordinal);
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
        var returnUrl = Uri.UnescapeDataString(login["/et/login?returnUrl=".Length..]);
        Assert.StartsWith("/et/preferences?pending=", returnUrl, StringComparison.Ordinal);

        var landed = await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "et", returnUrl);
        Assert.Equal(returnUrl, landed);
        var page = await client.GetPageAsync(landed);
        var pending = page.QuerySelector("#pending")!.TextContent;
        Assert.Contains("Kinnitage muudatus", pending, StringComparison.Ordinal);
        Assert.Contains("INNORE AS – Turundus SMS-iga: vastuväide esitatud", pending, StringComparison.Ordinal);

        using var confirmed = await HtmlForm.From(client, page, "form:has(#pending-confirm)").SubmitAsync();
        Assert.Equal("/et/preferences?status=saved&changed=" + Uri.EscapeDataString(Id(key)), confirmed.Headers.Location!.OriginalString);
        var row = Assert.Single(await RowsAsync(kari, key));
        Assert.False(row.Enabled);
    }

    [Fact]
    public async Task With_htmx_an_ended_session_sends_the_whole_page_to_sign_in_with_the_change_kept()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "et");
        var key = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Sms);
        var form = FormOf(client, await client.GetPageAsync("/et/preferences"), key);
        _factory.Clock.Advance(TimeSpan.FromMinutes(31)); // past the idle timeout

        using var post = new HttpRequestMessage(HttpMethod.Post, "/et/preferences?handler=Change") { Content = new FormUrlEncodedContent(form.Fields) };
        post.Headers.Add("HX-Request", "true");
        using var expired = await client.Http.SendAsync(post);

        // Not a 302 (htmx would follow it and swap the sign-in page into nothing) but a page-wide redirect.
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        var login = Assert.Single(expired.Headers.GetValues("HX-Redirect"));
        Assert.StartsWith("/et/login?returnUrl=", login, StringComparison.Ordinal);
        Assert.StartsWith("/et/preferences?pending=", Uri.UnescapeDataString(login["/et/login?returnUrl=".Length..]), StringComparison.Ordinal);
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));

        // A boosted link (GET) of a signed-out browser, through the sign-in challenge, the same way.
        using var get = new HttpRequestMessage(HttpMethod.Get, "/et/preferences");
        get.Headers.Add("HX-Request", "true");
        using var challenged = await client.Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, challenged.StatusCode);
        Assert.Equal("/et/login?returnUrl=%2Fet%2Fpreferences", Assert.Single(challenged.Headers.GetValues("HX-Redirect")));

        // Without htmx, the ordinary redirect.
        using var plain = await client.GetAsync("/et/preferences");
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        Assert.False(plain.Headers.Contains("HX-Redirect"));
    }

    [Fact]
    public async Task With_htmx_an_expired_form_answers_with_the_message_inside_the_fragment_htmx_swaps()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var key = PreferenceKey.Newsletter("innore-no");
        var form = FormOf(client, await client.GetPageAsync("/en/preferences"), key);
        var fields = form.Fields.Where(f => f.Key != HtmlForm.AntiforgeryFieldName).Append(new(HtmlForm.AntiforgeryFieldName, "expired-token"));

        using var post = new HttpRequestMessage(HttpMethod.Post, "/en/preferences?handler=Change") { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Add("HX-Request", "true");
        using var response = await client.Http.SendAsync(post);

        // A 4xx, which site.js tells htmx to swap, with the message and the change offered again in #preferences.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await CookieAwareClientParse(response);
        var fragment = page.QuerySelector("#preferences")!;
        Assert.Contains("The form had expired, so nothing was changed.", fragment.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(fragment.QuerySelector("#pending-confirm"));
        Assert.Equal(0, await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PortalTestSession.TestStart)));
    }

    [Fact]
    public async Task A_carried_change_that_is_too_old_or_forged_is_not_offered()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);

        var page = await client.GetPageAsync("/en/preferences?pending=not-a-real-token");

        Assert.Null(page.QuerySelector("#pending"));
        Assert.Contains("too old to carry out", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_contains_the_marketing_history()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola);
        using (await PressAsync(client, PreferenceKey.Consent("innore-ee", "personalised-ads")))
        {
        }

        // Straight from the exporter: the download page's own streaming is tested with My data.
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Ola);
        using var buffer = new MemoryStream();
        await PortalTestSession.WithScopeAsync(_factory, async s =>
        {
            await s.GetRequiredService<PrivacyPortal.Features.MyData.PersonalDataExport>().WriteZipAsync(kari, buffer, System.Globalization.CultureInfo.GetCultureInfo("en"), default);
            return 0;
        });
        buffer.Position = 0;
        await using var zip = new System.IO.Compression.ZipArchive(buffer);
        using var reader = new StreamReader(zip.GetEntry("data.json")!.Open());
        using var json = System.Text.Json.JsonDocument.Parse(await reader.ReadToEndAsync());

        var entry = Assert.Single(json.RootElement.GetProperty("marketingPreferences").EnumerateArray());
        Assert.Equal("innore-ee", entry.GetProperty("controller").GetString());
        Assert.Equal("consent", entry.GetProperty("kind").GetString());
        Assert.Equal("personalised-ads", entry.GetProperty("target").GetString());
        Assert.True(entry.GetProperty("enabled").GetBoolean());
        Assert.Equal("person", entry.GetProperty("by").GetString());
        Assert.Equal("portal", entry.GetProperty("channel").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, json.RootElement.GetProperty("cookieConsents").ValueKind);
    }

    internal static string Id(PreferenceKey key) => $"{key.ControllerId}/{key.Kind}/{key.Target}";

    internal static HtmlForm FormOf(CookieAwareClient client, IDocument page, PreferenceKey key) =>
        HtmlForm.From(client, page, $"form:has(button[data-preference='{Id(key)}'])");

    internal static async Task<HttpResponseMessage> PressAsync(CookieAwareClient client, PreferenceKey key, string culture = "en")
    {
        var page = await client.GetPageAsync($"/{culture}/preferences");
        return await FormOf(client, page, key).SubmitAsync();
    }

    private async Task<List<MarketingPreferenceRecord>> RowsAsync(Guid subjectId, PreferenceKey key) =>
        await PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId && r.ControllerId == key.ControllerId && r.Kind == key.Kind && r.Target == key.Target)
            .OrderBy(r => r.Id)
            .ToListAsync());

    private static Task<IDocument> CookieAwareClientParse(HttpResponseMessage response)
    {
        // ParsePageAsync insists on success; these pages are meant to answer 400 with a message.
        var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = response.Content, RequestMessage = response.RequestMessage };
        return CookieAwareClient.ParsePageAsync(ok);
    }
}
