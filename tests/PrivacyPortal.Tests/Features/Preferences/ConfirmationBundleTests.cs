using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Preferences;

/// <summary>Several quick preference changes are confirmed in one mail, sent when the bundle window closes.</summary>
public sealed class ConfirmationBundleTests
{
    private static readonly PreferenceKey NorwegianNewsletter = PreferenceKey.Newsletter("innore-no");
    private static readonly PreferenceKey EstonianNewsletter = PreferenceKey.Newsletter("innore-ee");

    [Fact]
    public async Task Quick_changes_share_one_mail_with_the_newest_state_of_each_and_a_later_change_gets_a_new_one()
    {
        using var host = new PortalHost();
        var kari = await host.UserIdAsync(PortalHost.Kari);
        var start = host.Factory.Clock.GetUtcNow();

        var first = await FlipAsync(host, kari, NorwegianNewsletter);
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await FlipAsync(host, kari, EstonianNewsletter);
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        // Back again within the window: the mail says what holds now, once.
        var back = await FlipAsync(host, kari, NorwegianNewsletter);
        Assert.NotEqual(first, back);

        var waiting = Assert.Single(await ConfirmationsAsync(host));
        Assert.Equal(OutboxStatus.Pending, waiting.Status);
        Assert.Equal(start + TimeSpan.FromMinutes(2), waiting.NextAttemptAt);
        Assert.Equal(1, Count(waiting.TextBody, "Nyhetsbrev fra INNORE AS"));
        Assert.Equal(1, Count(waiting.TextBody, "Nyhetsbrev fra Innore OÜ"));
        Assert.Contains("Nyhetsbrev fra INNORE AS: " + (back ? "abonnerer" : "meldt av"), waiting.TextBody, StringComparison.Ordinal);
        // Nothing was delivered while the window was open.
        Assert.Null(waiting.SentAt);

        // The window closes: the dispatcher sends the one mail.
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var delivered = await host.NextMailAsync(PortalHost.Kari, m => m.Subject == waiting.Subject);
        Assert.Contains("Nyhetsbrev fra Innore OÜ", delivered.TextBody, StringComparison.Ordinal);

        // A change after the mail went out is confirmed by a new mail.
        await FlipAsync(host, kari, EstonianNewsletter);
        var mails = await ConfirmationsAsync(host);
        Assert.Equal(2, mails.Count);
        Assert.Equal(1, Count(mails[1].TextBody, "Nyhetsbrev fra"));
    }

    [Fact]
    public async Task With_no_window_each_change_is_mailed_at_once()
    {
        using var host = new PortalHost(configure: f => f.With("Preferences:ConfirmationBundleWindow", "00:00:00"));
        var kari = await host.UserIdAsync(PortalHost.Kari);
        var now = host.Factory.Clock.GetUtcNow();

        await FlipAsync(host, kari, NorwegianNewsletter);
        await FlipAsync(host, kari, EstonianNewsletter);

        var mails = await ConfirmationsAsync(host);
        Assert.Equal(2, mails.Count);
        Assert.All(mails, m => Assert.Equal(now, m.NextAttemptAt));
    }

    /// <summary>Switches a preference to the opposite of its state, as Kari; returns the new state.</summary>
    private static async Task<bool> FlipAsync(PortalHost host, Guid kari, PreferenceKey key)
    {
        using var scope = host.Factory.Services.CreateScope();
        var state = await scope.ServiceProvider.GetRequiredService<MarketingPreferenceState>().LoadOneAsync(kari, key, default);
        var result = await scope.ServiceProvider.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(kari, [new(key, !state.Enabled)], PreferenceActor.Person(kari), default);
        Assert.Equal(PreferenceChangeOutcome.Changed, result.Outcome);
        return !state.Enabled;
    }

    private static Task<List<OutboxMessage>> ConfirmationsAsync(PortalHost host) =>
        host.DbAsync(db => db.Outbox.AsNoTracking().Where(m => m.To == PortalHost.Kari && m.Kind == "preferences-changed").OrderBy(m => m.CreatedAt).ToListAsync());

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
