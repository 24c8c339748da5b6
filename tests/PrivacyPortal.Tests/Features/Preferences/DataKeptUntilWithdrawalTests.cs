using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Preferences;

/// <summary>
/// The marketing category is kept "until you unsubscribe or withdraw your consent, or 3 years after
/// your last activity": the moment nothing of a company's marketing is left on, its marketing data goes.
/// </summary>
public sealed class DataKeptUntilWithdrawalTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void The_policy_says_which_retention_ends_on_withdrawal()
    {
        _factory.Start();
        var policy = _factory.Services.GetRequiredService<PolicyCatalog>();
        Assert.True(policy.RetentionRuleOf(policy.GetCategory("innore-no", "marketing")).EndsOnWithdrawal);
        Assert.True(policy.RetentionRuleOf(policy.GetCategory("innore-ee", "marketing")).EndsOnWithdrawal);
        Assert.False(policy.RetentionRuleOf(policy.GetCategory("innore-no", "orders")).EndsOnWithdrawal);
        Assert.False(policy.RetentionRuleOf(policy.GetCategory("innore-ee", "technical")).EndsOnWithdrawal);
    }

    [Fact]
    public async Task Objecting_to_all_of_a_companys_marketing_deletes_its_marketing_data_and_nothing_else()
    {
        _factory.Start();
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        var before = await CategoriesAsync(kari);
        Assert.Contains(("innore-no", "marketing"), before);

        var result = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ObjectToAllMarketingCommand>()
            .ExecuteAsync(kari, "innore-no", PreferenceActor.Person(kari), default));

        Assert.Equal(PreferenceChangeOutcome.Changed, result.Outcome);
        var after = await CategoriesAsync(kari);
        Assert.DoesNotContain(("innore-no", "marketing"), after);
        Assert.Equal(before.Where(c => c != ("innore-no", "marketing")).Order(), after.Order());
        var audit = await PortalTestSession.QueryAsync(_factory, db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "retention.ended-by-withdrawal"));
        Assert.Equal(kari, audit.SubjectId);
        Assert.StartsWith("innore-no: 1 record(s) of marketing deleted", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_newsletter_keeps_the_data_while_direct_marketing_to_a_customer_is_still_on()
    {
        _factory.Start();
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);

        await ChangeAsync(kari, PreferenceKey.Newsletter("innore-no"), PreferenceActor.UnsubscribeLink(oneClick: true, "innore-no"));

        Assert.Contains(("innore-no", "marketing"), await CategoriesAsync(kari));
        Assert.False(await PortalTestSession.QueryAsync(_factory, db => db.AuditEvents.AnyAsync(e => e.Action == "retention.ended-by-withdrawal")));
    }

    [Fact]
    public async Task The_last_stop_ends_it_whoever_records_it_and_a_restricted_record_is_left_to_the_sweep()
    {
        _factory.Start();
        var mari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        var staff = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.SupportStaff);
        var others = (await CategoriesAsync(mari)).Where(c => c.Category != "marketing").Order().ToList();
        await PortalTestSession.WithScopeAsync(_factory, async s =>
        {
            var db = s.GetRequiredService<PortalDbContext>();
            var now = _factory.Clock.GetUtcNow();
            db.HeldRecords.Add(new HeldRecord
            {
                SubjectId = mari, ControllerId = "innore-ee", CategoryId = "marketing", Summary = "Campaign reply under a hold",
                Content = "{}", RetentionFrom = new DateOnly(2026, 6, 1), RestrictedAt = now, CreatedAt = now, UpdatedAt = now,
            });
            return await db.SaveChangesAsync();
        });

        // Mari is a customer of Innore OÜ: withdrawing her consent leaves direct marketing on the channels.
        await ChangeAsync(mari, PreferenceKey.Consent("innore-ee", "prospect-marketing"), PreferenceActor.UnsubscribeLink(oneClick: false, "innore-eu"));
        Assert.Equal(2, await MarketingRecordsAsync(mari));

        // Customer service records the rest of her stop.
        var rest = PreferenceKey.AllOf(_factory.Services.GetRequiredService<PolicyCatalog>(), "innore-ee")
            .Select(k => new PreferenceChange(k, Enable: false)).ToList();
        await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(mari, rest, PreferenceActor.Staff(staff), default));

        var left = await PortalTestSession.QueryAsync(_factory, db => db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == mari && r.CategoryId == "marketing").Select(r => r.Summary).ToListAsync());
        Assert.Equal(["Campaign reply under a hold"], left);
        var audit = await PortalTestSession.QueryAsync(_factory, db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "retention.ended-by-withdrawal"));
        Assert.Equal(staff, audit.ActorId);
        Assert.Equal(others, (await CategoriesAsync(mari)).Where(c => c.Category != "marketing").Order().ToList());
    }

    private async Task ChangeAsync(Guid subjectId, PreferenceKey key, PreferenceActor actor)
    {
        var result = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(subjectId, [new(key, false)], actor, default));
        Assert.Equal(PreferenceChangeOutcome.Changed, result.Outcome);
    }

    private Task<int> MarketingRecordsAsync(Guid subjectId) =>
        PortalTestSession.QueryAsync(_factory, db => db.HeldRecords.CountAsync(r => r.SubjectId == subjectId && r.CategoryId == "marketing"));

    private Task<List<(string Controller, string Category)>> CategoriesAsync(Guid subjectId) =>
        PortalTestSession.QueryAsync(_factory, async db => (await db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .Select(r => new { r.ControllerId, r.CategoryId })
            .ToListAsync()).Select(r => (r.ControllerId, r.CategoryId)).ToList());
}
