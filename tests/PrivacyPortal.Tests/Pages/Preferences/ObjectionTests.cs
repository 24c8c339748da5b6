using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Preferences;

// Art. 21(3): an objection to direct marketing is absolute. Staff, stores and links can record a
// stop on the person's behalf but can never switch marketing on again; only the person can, by
// consenting anew.
public sealed class ObjectionTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string> NonPersonActors => new() { "staff", "store", "unsubscribe-link", "one-click", "another-person" };

    [Theory]
    [MemberData(nameof(NonPersonActors))]
    public async Task Nobody_but_the_person_can_reverse_an_objection(string who)
    {
        _factory.Start();
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var staff = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.SupportStaff);
        var mari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        var key = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email);
        Assert.Equal(PreferenceChangeOutcome.Changed, (await ExecuteAsync(kari, key, false, PreferenceActor.Person(kari))).Outcome);

        var actor = who switch
        {
            "staff" => PreferenceActor.Staff(staff),
            "store" => PreferenceActor.Store("innore-no"),
            "unsubscribe-link" => PreferenceActor.UnsubscribeLink(oneClick: false, "innore-no"),
            "one-click" => PreferenceActor.UnsubscribeLink(oneClick: true, null),
            _ => PreferenceActor.Person(mari),
        };
        var result = await ExecuteAsync(kari, key, true, actor);

        Assert.Equal(PreferenceChangeOutcome.Refused, result.Outcome);
        var rows = await Rows(kari);
        Assert.False(Assert.Single(rows).Enabled);
        var refused = await PortalTestSession.QueryAsync(_factory, db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "preferences.switch-on-refused"));
        Assert.Equal(kari, refused.SubjectId);

        // Not as part of a bundle either: one switch-on in a list refuses the whole list.
        var bundle = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>().ExecuteAsync(
            kari, [new(PreferenceKey.Newsletter("innore-no"), false), new(key, true)], actor, default));
        Assert.Equal(PreferenceChangeOutcome.Refused, bundle.Outcome);
        Assert.Single(await Rows(kari));
    }

    [Fact]
    public async Task Staff_can_record_a_stop_the_person_asked_for_and_the_row_says_so()
    {
        _factory.Start();
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var staff = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.SupportStaff);

        var result = await ExecuteAsync(kari, PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Phone), false, PreferenceActor.Staff(staff));

        Assert.Equal(PreferenceChangeOutcome.Changed, result.Outcome);
        var row = Assert.Single(await Rows(kari));
        Assert.Equal(PreferenceActorKind.Staff, row.Actor);
        Assert.Equal(staff, row.ActorId);
        Assert.Equal(PreferenceChannel.CustomerService, row.Channel);
    }

    [Fact]
    public async Task The_person_can_consent_anew_on_the_page_after_objecting_and_the_page_says_only_they_can()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari);
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var key = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email);
        using (await IndexTests.PressAsync(client, key))
        {
        }

        var page = await client.GetPageAsync("/en/preferences");
        var item = page.QuerySelector("#pref-innore-no-email")!.TextContent;
        Assert.Contains("You objected on", item, StringComparison.Ordinal);
        Assert.Contains("Only you can switch this back on", item, StringComparison.Ordinal);
        Assert.Contains("Give consent again", item, StringComparison.Ordinal);

        using (await IndexTests.PressAsync(client, key))
        {
        }

        var rows = await Rows(kari);
        Assert.Equal([false, true], rows.Select(r => r.Enabled));
        Assert.All(rows, r => Assert.Equal(PreferenceActorKind.Person, r.Actor));
        page = await client.GetPageAsync("/en/preferences");
        Assert.Contains("Allowed again with your consent", page.QuerySelector("#pref-innore-no-email")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void No_staff_page_or_endpoint_can_reach_the_preference_commands()
    {
        // The staff area is built elsewhere; whatever it adds, the one command that changes preferences
        // takes an actor, and only PreferenceActor.Person(the same id) may switch on. This pins that the
        // actor cannot be made any other way (no public constructor, no setters).
        var type = typeof(PreferenceActor);
        Assert.Empty(type.GetConstructors());
        Assert.All(type.GetProperties(), p => Assert.True(p.SetMethod is null || !p.SetMethod.IsPublic, p.Name));
        Assert.False(PreferenceActor.Staff(Guid.NewGuid()).MaySwitchOn(Guid.NewGuid()));
        var id = Guid.NewGuid();
        Assert.False(PreferenceActor.Staff(id).MaySwitchOn(id));
        Assert.True(PreferenceActor.Person(id).MaySwitchOn(id));
    }

    private Task<PreferenceChangeResult> ExecuteAsync(Guid subjectId, PreferenceKey key, bool enable, PreferenceActor actor) =>
        PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(subjectId, [new PreferenceChange(key, enable)], actor, default));

    private Task<List<MarketingPreferenceRecord>> Rows(Guid subjectId) =>
        PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == subjectId && r.OccurredAt >= PortalTestSession.TestStart).OrderBy(r => r.Id).ToListAsync());
}
