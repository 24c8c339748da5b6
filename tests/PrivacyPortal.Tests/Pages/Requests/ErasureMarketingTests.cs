using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>
/// An erasure ends marketing at every company of the group, for every store, and keeps it ended
/// when a store brings the address back; what it keeps, it keeps on a ground the reply names.
/// </summary>
public sealed class ErasureMarketingTests
{
    /// <summary>Every stop of one company, as its suppression feed lists them (policy order).</summary>
    private static readonly string[] AllStops =
        ["unsubscribe newsletter", "objection email", "objection sms", "objection phone", "withdrawal prospect-marketing", "withdrawal personalised-ads"];

    private static readonly (string Client, string Secret, string Controller)[] Stores =
        [(DevClients.No, DevClients.NoSecret, "innore-no"), (DevClients.Eu, DevClients.EuSecret, "innore-ee")];

    [Fact]
    public async Task After_Karis_erasure_every_store_reads_all_her_marketing_off_and_her_address_pushed_again_stays_off()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        // Before filing, the plan says that marketing stops and what is kept for that, and why.
        var plan = await kari.GetPageAsync("/nb/requests/new?kind=Erasure");
        Assert.Contains("all markedsføring fra alle selskapene", plan.QuerySelector("#plan-marketing")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("enveiskode laget av e-postadressen din", plan.QuerySelector("#plan-suppression")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("art. 21 nr. 3", plan.QuerySelector("#plan-suppression")!.TextContent, StringComparison.Ordinal);

        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);
        using (var dpo = await host.StaffAsync(PortalHost.Dpo))
        {
            await RequestFlows.StaffDoAsync(dpo, id, "carry-out");
        }

        // Her orders are kept under the bookkeeping duty, so she keeps her account; every stop is a row by the erasure.
        var rows = await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == kariId && r.Actor == PreferenceActorKind.Erasure).ToListAsync());
        Assert.Equal(2 * AllStops.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal((false, (Guid?)id, PreferenceChannel.ErasureRequest), (r.Enabled, r.ActorId, r.Channel)));

        using var api = host.Anonymous();
        foreach (var (client, secret, _) in Stores)
        {
            var store = await StoreCaller.SignInAsync(host, api, client, secret);
            AssertAllOff(Assert.Single(await store.PermissionsOfAsync(kariId)));
            Assert.Equal(AllStops, await store.SuppressionsOfAsync(kariId));
        }

        var claim = await PrivacyClaimAsync(host, kari, PortalHost.Kari);
        var innoreNo = claim.GetProperty("marketing").GetProperty("innore-no");
        Assert.False(innoreNo.GetProperty("newsletter").GetBoolean());
        Assert.Equal(["email", "sms", "phone"], innoreNo.GetProperty("objected_channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Empty(innoreNo.GetProperty("consents").EnumerateArray());

        // innore.no pushes a new order with her address: an order in use would make her an existing
        // customer (direct marketing on by default), but her stops stand.
        var no = await StoreCaller.SignInAsync(host, api, DevClients.No, DevClients.NoSecret);
        var pushed = await no.PushAsync(new { records = new[] { new { externalId = "NO-2026-0990", email = PortalHost.Kari, category = "orders", summary = "Order NO-2026-0990: shelf", content = new { total = 990 }, retentionFrom = "2026-11-20" } } });
        Assert.Equal(kariId.ToString(), pushed.GetProperty("records")[0].GetProperty("sub").GetString());
        AssertAllOff(Assert.Single(await no.PermissionsOfAsync(kariId)));
    }

    [Fact]
    public async Task When_nothing_is_kept_the_account_goes_but_a_store_bringing_the_address_back_gets_a_person_with_all_marketing_off()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        // Mails speak the person's stored language: here Kari reads English.
        await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Kari).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, "en")));
        var id = await RequestFlows.FileAsync(kari, "en", RequestKind.Erasure);

        // Staff choose no ground for anything, her orders included: no ground, no keeping.
        using (var dpo = await host.StaffAsync(PortalHost.Dpo))
        {
            await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f =>
            {
                foreach (var select in f.Element.QuerySelectorAll("select[name^='Input.Choices']"))
                {
                    f.Set(select.GetAttribute("name")!, "Erase");
                }
            });
        }

        Assert.Null(await host.DbAsync(db => db.Users.Where(u => u.Id == kariId).Select(u => u.Email).SingleAsync()));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId)));

        // What is left of her address: one keyed hash per company, under a key stored only protected.
        var entries = await host.DbAsync(db => db.Set<MarketingSuppression>().AsNoTracking().OrderBy(s => s.ControllerId).ToListAsync());
        Assert.Equal(["innore-ee", "innore-no"], entries.Select(e => e.ControllerId));
        Assert.All(entries, e => Assert.Matches("^[0-9a-f]{64}$", e.AddressHash));
        Assert.All(entries, e => Assert.Equal(id, e.RequestId));
        Assert.NotEqual(entries[0].AddressHash, entries[1].AddressHash);
        var storedKey = await host.DbAsync(db => db.Set<SuppressionKey>().AsNoTracking().SingleAsync());
        Assert.True(Convert.FromBase64String(storedKey.ProtectedKey).Length > 32, "the key is stored protected, not as its 32 bytes");

        // The completed mail says what is kept and why.
        var completed = (await host.MailsToAsync(PortalHost.Kari)).Single(m => m.Kind == "request-completed");
        Assert.Contains("a one-way code made from your email address", completed.TextBody, StringComparison.Ordinal);

        // innore.no imports her address again: a new person, with every marketing preference stopped by the erasure, at both companies.
        using var api = host.Anonymous();
        var no = await StoreCaller.SignInAsync(host, api, DevClients.No, DevClients.NoSecret);
        var pushed = await no.PushAsync(new { records = new[] { new { externalId = "NO-2027-0001", email = PortalHost.Kari, category = "orders", summary = "Order NO-2027-0001: shelf", content = new { total = 990 }, retentionFrom = "2026-11-20" } } });
        var newId = Guid.Parse(pushed.GetProperty("records")[0].GetProperty("sub").GetString()!);
        Assert.NotEqual(kariId, newId);
        foreach (var (client, secret, _) in Stores)
        {
            var store = await StoreCaller.SignInAsync(host, api, client, secret);
            AssertAllOff(Assert.Single(await store.PermissionsOfAsync(newId)));
            Assert.Equal(AllStops, await store.SuppressionsOfAsync(newId));
        }

        var rows = await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == newId).ToListAsync());
        Assert.All(rows, r => Assert.Equal((PreferenceActorKind.Erasure, (Guid?)id, "innore-no"), (r.Actor, r.ActorId, r.StoreId)));

        // A second push of the same address writes nothing more.
        await no.PushAsync(new { records = new[] { new { externalId = "NO-2027-0002", email = PortalHost.Kari, category = "orders", summary = "Order NO-2027-0002: hooks", content = new { total = 90 }, retentionFrom = "2026-11-21" } } });
        Assert.Equal(rows.Count, await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.SubjectId == newId)));
    }

    [Fact]
    public async Task Kept_data_has_a_ground_staff_chose_and_the_reply_names_it_with_its_end_the_authority_and_the_courts()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        // The form proposes the policy's ground: legal obligation for orders (a bookkeeping duty);
        // drawings are no bookkeeping record, so they are erased unless staff keep them for legal claims.
        var form = await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", "#action-carry-out");
        Assert.Equal("LegalObligation", form.Element.QuerySelector("select[name='Input.Choices[innore-no/orders]'] option:checked")!.GetAttribute("value"));
        Assert.Equal("Erase", form.Element.QuerySelector("select[name='Input.Choices[innore-no/configurator-drawings]'] option:checked")!.GetAttribute("value"));
        Assert.Null(form.Element.QuerySelector("select[name='Input.Choices[innore-no/configurator-drawings]'] option[value='LegalObligation']"));

        await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f => f.Set("Input.Choices[innore-no/configurator-drawings]", "LegalClaims"));

        var drawings = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == kariId && r.CategoryId == "configurator-drawings").ToListAsync());
        Assert.Equal("innore-no", Assert.Single(drawings).ControllerId);
        Assert.NotNull(drawings[0].RestrictedAt);
        var outcome = ErasurePlanner.Deserialize(await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.OutcomeJson).SingleAsync()));
        Assert.Equal(PrivacyPortal.Features.Policy.ErasureGround.LegalClaims, outcome.Single(l => l.CategoryId == "configurator-drawings" && l.Outcome == RecordOutcome.KeepRestricted).Ground);

        var mail = (await host.MailsToAsync(PortalHost.Kari)).Single(m => m.Kind == "request-completed").TextBody.Replace('\u00A0', ' ');
        Assert.Contains("INNORE AS — Konfiguratortegninger og tekniske spesifikasjoner: oppbevares til 31.12.2029 for å fastsette, gjøre gjeldende eller forsvare rettskrav (personvernforordningen art. 17 nr. 3 bokstav e)", mail, StringComparison.Ordinal);
        Assert.Contains("INNORE AS — Ordreopplysninger: oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13, en rettslig forpliktelse (personvernforordningen art. 17 nr. 3 bokstav b)", mail, StringComparison.Ordinal);
        Assert.Contains("Du har rett til å klage til en tilsynsmyndighet", mail, StringComparison.Ordinal);
        Assert.Contains("Datatilsynet", mail, StringComparison.Ordinal);
        Assert.Contains("bringe saken inn for domstolene", mail, StringComparison.Ordinal);
    }

    private static void AssertAllOff(JsonElement permissions)
    {
        Assert.False(permissions.GetProperty("newsletter").GetBoolean());
        Assert.Equal(["email", "sms", "phone"], permissions.GetProperty("objectedChannels").EnumerateArray().Select(c => c.GetString()));
        Assert.Empty(permissions.GetProperty("consents").EnumerateArray());
    }

    /// <summary>The <c>privacy</c> claim innore.no gets when the signed-in person signs in there.</summary>
    private static async Task<JsonElement> PrivacyClaimAsync(PortalHost host, CookieAwareClient person, string email)
    {
        var flow = new OidcFlow(host.Factory, person);
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, DevClients.No, DevClients.NoRedirect, "openid privacy"), email);
        using var redeemed = await flow.RedeemAsync(OidcFlow.QueryValue(redirect, "code")!, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret);
        var accessToken = (await OidcFlow.JsonAsync(redeemed)).GetProperty("access_token").GetString()!;
        using var userInfo = await flow.UserInfoAsync(accessToken);
        return (await OidcFlow.JsonAsync(userInfo)).GetProperty("privacy");
    }
}
