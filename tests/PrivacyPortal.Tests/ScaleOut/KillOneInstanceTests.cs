using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using Xunit.Abstractions;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// Two portal processes on one PostgreSQL database take a burst of sign-in requests, spread over
/// both as a round-robin load balancer would; one process is killed outright halfway. Every request
/// that was answered "check your email" must be in the database once and its mail delivered once,
/// by the surviving instance if the dead one had claimed it.
/// </summary>
public sealed class KillOneInstanceTests(ITestOutputHelper output) : IDisposable
{
    private const int Requests = 240;
    private const int KillAfterAccepted = 80;
    private const int Workers = 8;

    private readonly PostgresTestDatabase _database = new();
    private readonly SmtpTestServer _smtp = new();

    [Fact]
    public async Task When_one_instance_is_killed_mid_burst_every_accepted_request_is_stored_once_and_its_mail_delivered_under_one_message_id()
    {
        using var a = await PortalProcess.StartAsync(Settings(seed: true));
        using var b = await PortalProcess.StartAsync(Settings(seed: false));

        var accepted = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<string>();
        var next = -1;
        var killed = 0;
        async Task WorkAsync(int worker)
        {
            // Each worker is one browser: its own cookie jar, the same host for both instances.
            using var client = CookieAwareClient.ForServer(a.Address);
            client.Http.Timeout = TimeSpan.FromSeconds(30);
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                var email = string.Create(CultureInfo.InvariantCulture, $"burst{i:D4}@example.test");
                // Round robin without sticky sessions: the form from one instance, the POST to the
                // other. Once A is dead the balancer's health check takes it out; requests already
                // on their way to A fail and are not retried (a POST is not safe to repeat).
                var bothAlive = Volatile.Read(ref killed) == 0;
                var formFrom = bothAlive && i % 2 == 0 ? a : b;
                var postTo = bothAlive && i % 2 == 1 ? a : b;
                try
                {
                    var form = await HtmlForm.LoadAsync(client, new Uri(formFrom.Address, "/en/login").ToString(), "main form[method=post]");
                    var fields = form.Set("Input.Email", email).Fields;
                    using var response = await client.PostFormAsync(new Uri(postTo.Address, "/en/login").ToString(), fields);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body.Contains("Check your email", StringComparison.Ordinal))
                    {
                        accepted.Add(email);
                    }
                    else
                    {
                        failed.Add($"{email}: {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failed.Add($"{email}: {ex.Message}");
                }
            }
        }

        // The killer runs beside the workers, so requests are in flight to A when it dies.
        async Task KillMidwayAsync()
        {
            while (accepted.Count < KillAfterAccepted && Volatile.Read(ref next) < Requests)
            {
                await Task.Delay(5);
            }

            a.Kill();
            Volatile.Write(ref killed, 1);
            output.WriteLine($"killed A after {accepted.Count} accepted requests");
        }

        await Task.WhenAll([.. Enumerable.Range(0, Workers).Select(WorkAsync), KillMidwayAsync()]);
        output.WriteLine($"{accepted.Count} accepted, {failed.Count} failed");
        Assert.Equal(1, killed);
        Assert.True(a.HasExited);
        Assert.False(b.HasExited, b.Output);
        Assert.True(accepted.Count > Requests - KillAfterAccepted, "requests went on being accepted by B after A died");
        output.WriteLine(string.Join('\n', failed.Take(10)));

        // B's dispatcher sends what is left, including what A had claimed once A's leases run out.
        await using var db = _database.NewContext();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (await db.Outbox.AnyAsync(m => m.Status != OutboxStatus.Sent))
        {
            Assert.True(DateTime.UtcNow < deadline, "the outbox did not drain:\n" + b.Output);
            await Task.Delay(250);
        }

        var attempts = await db.MagicLinkTokens.AsNoTracking().Where(t => t.Email.StartsWith("burst")).Select(t => t.Email).ToListAsync();
        var queued = await db.Outbox.AsNoTracking().Where(m => m.To.StartsWith("burst")).Select(m => m.To).ToListAsync();
        await Task.Delay(1000);
        var delivered = _smtp.All.Where(m => m.To.Any(t => t.Address.StartsWith("burst", StringComparison.Ordinal))).ToList();
        var deliveredTo = delivered.GroupBy(m => m.To.Single().Address).ToDictionary(g => g.Key, g => g.ToList());
        output.WriteLine($"{attempts.Count} attempts stored, {queued.Count} mails queued, {delivered.Count} delivered to {deliveredTo.Count} addresses");

        // Every accepted request: stored once, one mail queued, that mail delivered.
        foreach (var email in accepted)
        {
            Assert.Equal(1, attempts.Count(e => e == email));
            Assert.Equal(1, queued.Count(e => e == email));
            Assert.True(deliveredTo.ContainsKey(email), $"no mail reached {email}");
        }

        // A request A committed but could not answer before it died is stored at most once, and
        // its mail delivered like any other: nothing committed is lost.
        Assert.Equal(attempts.Count, attempts.Distinct().Count());
        Assert.Equal(attempts.Order(), queued.Order());
        Assert.Equal(attempts.Order(), deliveredTo.Keys.Order());

        // One message per address. The dispatcher is at-least-once by design: a mail A was handing
        // to the server at the moment it died may arrive twice, with the same Message-ID so mail
        // systems drop the copy. A dispatcher has at most Concurrency mails in flight, so at most
        // that many such mails.
        Assert.All(deliveredTo.Values, mails => Assert.Single(mails.Select(m => m.Header("Message-ID")).Distinct()));
        var copies = delivered.Count - deliveredTo.Count;
        output.WriteLine($"{copies} duplicate deliveries (same Message-ID)");
        Assert.InRange(copies, 0, DispatcherConcurrency);
    }

    private const int DispatcherConcurrency = 4;

    private Dictionary<string, string> Settings(bool seed) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Portal"] = _database.ConnectionString,
        ["Portal:SeedDemoData"] = seed ? "true" : "false",
        ["Email:Transport"] = "Smtp",
        ["Email:Smtp:Host"] = _smtp.Host,
        ["Email:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        ["Email:Smtp:Timeout"] = "00:00:02",
        ["Email:KeepSecretsAfterSending"] = "false",
        ["Email:Dispatcher:PollInterval"] = "00:00:00.200",
        ["Email:Dispatcher:Concurrency"] = DispatcherConcurrency.ToString(CultureInfo.InvariantCulture),
        // Short, so the survivor takes over the dead instance's claimed mails within the test.
        ["Email:Dispatcher:LeaseDuration"] = "00:00:05",
        ["Auth:MaxLinksPerAddressPerHour"] = "100",
        ["Auth:MaxLinksPerIpPer10Minutes"] = "10000",
    };

    public void Dispose()
    {
        _smtp.Dispose();
        _database.Dispose();
    }
}
