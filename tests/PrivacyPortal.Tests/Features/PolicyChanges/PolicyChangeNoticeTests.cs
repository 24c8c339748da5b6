using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.PolicyChanges;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Policy;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.PolicyChanges;

/// <summary>
/// A material policy revision, loaded 53 days before it takes effect (the policy promises 30): every
/// person with an account is mailed once, in their language, in batches, whichever instance and
/// however often the revision is loaded; my-data shows the revision in force and the coming one.
/// </summary>
public sealed class PolicyChangeNoticeTests : IDisposable
{
    private static readonly DateTimeOffset Loaded = PortalHost.DefaultNow;   // 2026-11-23
    private static readonly string[] Cultures = ["en", "et", "nb"];
    private readonly string policyFile = Path.Combine(Path.GetTempPath(), $"policy-change-{Guid.NewGuid():N}.json");
    private readonly List<PortalHost> hosts = [];

    public PolicyChangeNoticeTests() => File.WriteAllText(policyFile, Revision("2027-01-15"));

    [Fact]
    public async Task Everyone_with_an_account_is_told_once_in_their_own_language_in_batches()
    {
        var host = Start(Loaded);
        await AddPeopleAsync(host, 2);
        var people = await PeopleAsync(host);
        Assert.Equal(5, people.Count);

        // One batch of two: their mails and notice rows are committed together.
        using (var scope = host.Factory.Services.CreateScope())
        {
            Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<SendPolicyChangeNoticesCommand>().SendBatchAsync(CancellationToken.None));
        }

        Assert.Equal(2, await NoticeMailsAsync(host));

        Assert.Equal(3, await Job(host).SendPendingAsync(CancellationToken.None));
        Assert.Equal(0, await Job(host).SendPendingAsync(CancellationToken.None));

        var mails = await host.DbAsync(db => db.Outbox.AsNoTracking().Where(m => m.Kind == "policy-change").ToListAsync());
        Assert.Equal(people.Select(p => p.Email).Order(), mails.Select(m => m.To).Order());
        Assert.DoesNotContain(mails, m => m.To is PortalHost.Support or PortalHost.Dpo);
        Assert.Equal("Personvernerklæringen vår endres 15.01.2027", mails.Single(m => m.To == PortalHost.Kari).Subject);
        Assert.Equal("Meie privaatsuspoliitika muutub 15.01.2027", mails.Single(m => m.To == PortalHost.Mari).Subject);
        Assert.Equal("Our privacy policy changes on 15 January 2027", mails.Single(m => m.To == "extra1@example.com").Subject);

        var delivered = await host.NextMailAsync(PortalHost.Kari, m => m.Subject.StartsWith("Personvernerklæringen", StringComparison.Ordinal));
        Assert.Contains("Vi tar i bruk en ny transportør", delivered.TextBody, StringComparison.Ordinal);
        Assert.Contains("versjon 2026-05-01", delivered.TextBody, StringComparison.Ordinal);
        Assert.Equal("/nb/my-data", delivered.FindLink("/my-data").AbsolutePath);
    }

    [Fact]
    public async Task A_second_start_sends_nothing_twice_even_days_before_the_effective_date()
    {
        var first = Start(Loaded);
        Assert.Equal(3, await Job(first).SendPendingAsync(CancellationToken.None));

        // Five days before it takes effect: fine, people were told from the first load on.
        var second = Start(new DateTimeOffset(2027, 1, 10, 9, 0, 0, TimeSpan.Zero), sharing: first);
        Assert.Equal(0, await Job(second).SendPendingAsync(CancellationToken.None));
        Assert.Equal(3, await NoticeMailsAsync(second));

        // Someone who opens an account before the change takes effect is told too, once.
        await AddPeopleAsync(second, 1);
        Assert.Equal(1, await Job(second).SendPendingAsync(CancellationToken.None));
        Assert.Equal(0, await Job(first).SendPendingAsync(CancellationToken.None));
        Assert.Equal(1, await second.DbAsync(db => db.Outbox.CountAsync(m => m.Kind == "policy-change" && m.To == "extra1@example.com")));
    }

    [Fact]
    public async Task Two_instances_sending_at_once_tell_each_person_once()
    {
        var a = Start(Loaded, batchSize: 3);
        var b = Start(Loaded, sharing: a, batchSize: 3);
        await AddPeopleAsync(a, 20);

        var told = await Task.WhenAll(Job(a).SendPendingAsync(CancellationToken.None), Job(b).SendPendingAsync(CancellationToken.None));
        // Whoever lost the lease may stop early; a later round of the job finishes what is left.
        told = [.. told, await Job(b).SendPendingAsync(CancellationToken.None), await Job(a).SendPendingAsync(CancellationToken.None)];

        var people = await PeopleAsync(a);
        Assert.Equal(people.Count, told.Sum());
        var mails = await a.DbAsync(db => db.Outbox.AsNoTracking().Where(m => m.Kind == "policy-change").Select(m => m.To).ToListAsync());
        Assert.Equal(people.Select(p => p.Email).Order(), mails.Order());
        Assert.Equal(people.Count, await a.DbAsync(db => db.Set<PolicyChangeNotice>().CountAsync(n => n.Revision == "2027-01-15")));
    }

    [Fact]
    public async Task The_job_of_a_running_instance_tells_everyone_by_itself()
    {
        var host = Start(Loaded, jobsEnabled: true);

        var mail = await host.NextMailAsync(PortalHost.Ola, m => m.Subject.Contains("2027", StringComparison.Ordinal));

        Assert.Equal("Personvernerklæringen vår endres 15.01.2027", mail.Subject);
    }

    [Fact]
    public async Task My_data_shows_the_revision_in_force_and_the_coming_one_with_its_date()
    {
        var host = Start(Loaded);
        var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var revision = (await kari.GetPageAsync("/nb/my-data")).QuerySelector("#policy-revision")!.TextContent;
        Assert.Contains("Gjeldende: versjon 2026-05-01, siden 01.05.2026.", revision, StringComparison.Ordinal);
        Assert.Contains("Kommer: versjon 2027-01-15 gjelder fra 15.01.2027.", revision, StringComparison.Ordinal);
        Assert.Contains("Dette endres: Vi tar i bruk en ny transportør", revision, StringComparison.Ordinal);

        var mari = await host.SignInAsync(PortalHost.Mari, "en");
        var english = (await mari.GetPageAsync("/en/my-data")).QuerySelector("#policy-revision")!.TextContent;
        Assert.Contains("Coming: revision 2027-01-15 takes effect on 15 January 2027.", english, StringComparison.Ordinal);

        // From the effective date on, the new revision is the one in force and nobody is mailed any more.
        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero));
        var later = await host.SignInAsync(PortalHost.Kari, "nb");
        var inForce = (await later.GetPageAsync("/nb/my-data")).QuerySelector("#policy-revision")!.TextContent;
        Assert.Contains("Gjeldende: versjon 2027-01-15, siden 15.01.2027.", inForce, StringComparison.Ordinal);
        Assert.DoesNotContain("Kommer", inForce, StringComparison.Ordinal);
        Assert.Equal(0, await Job(host).SendPendingAsync(CancellationToken.None));
        Assert.Equal(0, await NoticeMailsAsync(host));
    }

    [Fact]
    public void A_material_change_with_less_notice_than_promised_stops_the_start()
    {
        // 27 days after the first load, where the policy promises 30.
        File.WriteAllText(policyFile, Revision("2026-12-20"));
        using var factory = new PortalAppFactory().With("Policy:File", policyFile);
        factory.Clock.SetUtcNow(Loaded);

        var exception = Assert.ThrowsAny<Exception>(() => factory.Start());

        var refused = Find<PolicyValidationException>(exception) ?? throw new Xunit.Sdk.XunitException($"Not refused by the policy check: {exception}");
        var error = Assert.Single(refused.Errors);
        Assert.Equal("effectiveDate", error.Path);
        Assert.Contains("27 days' notice, not the 30 the policy promises", error.Problem, StringComparison.Ordinal);
        Assert.Contains("set effectiveDate to 2026-12-23 or later. No notice has been sent.", error.Problem, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var host in hosts)
        {
            host.Dispose();
        }

        File.Delete(policyFile);
    }

    private static string Revision(string effectiveDate) => PolicyJson.InnoreWith(p =>
    {
        p["revision"] = effectiveDate;
        p["effectiveDate"] = effectiveDate;
        p["change"] = new JsonObject
        {
            ["material"] = true,
            ["summary"] = PolicyJson.Text("We start using a new carrier", "Vi tar i bruk en ny transportør", "Võtame kasutusele uue vedaja"),
            ["previousRevision"] = "2026-05-01",
            ["previousEffectiveDate"] = "2026-05-01",
        };
    });

    private PortalHost Start(DateTimeOffset now, PortalHost? sharing = null, int batchSize = 2, bool jobsEnabled = false)
    {
        var host = new PortalHost(now, f =>
        {
            f.With("Policy:File", policyFile).With("PolicyNotices:BatchSize", batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (jobsEnabled)
            {
                f.With("Jobs:Enabled", "true");
            }

            if (sharing is not null)
            {
                f.SharingDatabaseWith(sharing.Factory);
            }
        });
        hosts.Add(host);
        return host;
    }

    private static PolicyChangeNoticeJob Job(PortalHost host) => host.Factory.Services.GetRequiredService<PolicyChangeNoticeJob>();

    private static Task<int> NoticeMailsAsync(PortalHost host) => host.DbAsync(db => db.Outbox.CountAsync(m => m.Kind == "policy-change"));

    private static Task<List<DataSubject>> PeopleAsync(PortalHost host) =>
        host.DbAsync(db => db.Users.AsNoTracking().Where(u => u.Kind != AccountKind.Staff).ToListAsync());

    private static Task AddPeopleAsync(PortalHost host, int count) => host.DbAsync(async db =>
    {
        for (var i = 1; i <= count; i++)
        {
            var email = $"extra{i}@example.com";
            db.Users.Add(new DataSubject
            {
                Id = Guid.NewGuid(),
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = $"Extra {i}",
                Kind = AccountKind.Consumer,
                PreferredCulture = Cultures[(i - 1) % Cultures.Length],
                SecurityStamp = Guid.NewGuid().ToString("N"),
                CreatedAt = host.Factory.Clock.GetUtcNow(),
            });
        }

        await db.SaveChangesAsync();
    });

    private static T? Find<T>(Exception? exception)
        where T : Exception => exception switch
        {
            null => null,
            T found => found,
            AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null),
            _ => Find<T>(exception.InnerException),
        };
}
