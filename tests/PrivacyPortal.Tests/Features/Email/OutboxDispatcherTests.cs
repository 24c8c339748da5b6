using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using Xunit.Abstractions;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>The dispatcher against a real SMTP server (aiosmtpd) and a real SQLite file.</summary>
public sealed class OutboxDispatcherTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Sends_each_mail_once_with_utf8_subject_and_bodies_in_nb_and_et()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port);
        var ids = await host.EnqueueAsync(
            ("kari.nordmann@example.no", TestMails.Norwegian("123 456")),
            ("mari.maasikas@example.ee", TestMails.Estonian()));
        await host.StartAsync();

        await EmailTestHost.EventuallyAsync(async () => (await host.AllAsync()).All(m => m.Status == OutboxStatus.Sent), because: "both mails sent");
        await Task.Delay(600); // three more polls: nothing may go out again

        var files = smtp.DeliveredFiles();
        Assert.Equal(2, files.Count);
        var mails = await ParsedMail.ReadAllAsync(files);
        var nb = Assert.Single(mails, m => m.To == "kari.nordmann@example.no");
        var et = Assert.Single(mails, m => m.To == "mari.maasikas@example.ee");

        Assert.Equal(TestMails.NorwegianSubject, nb.Subject);
        Assert.Contains(TestMails.NorwegianBody, nb.Text, StringComparison.Ordinal);
        Assert.Contains("123 456", nb.Text, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode("Trykk på knappen for å logge inn"), nb.Html, StringComparison.Ordinal);
        Assert.Contains("http://localhost:5080/nb/login/confirm?token=abc", nb.Text, StringComparison.Ordinal);
        Assert.Equal(TestMails.EstonianSubject, et.Subject);
        Assert.Contains(TestMails.EstonianBody, et.Text, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode("Jõudsime öösel Pärnusse"), et.Html, StringComparison.Ordinal);

        foreach (var (mail, id) in new[] { (nb, ids[0]), (et, ids[1]) })
        {
            Assert.Equal("multipart/alternative", mail.ContentType);
            Assert.Equal(["multipart/alternative", "text/plain", "text/html"], mail.PartTypes);
            Assert.Equal("Innore privacy portal <privacy@innore.eu>", mail.From);
            Assert.Equal($"<{id:N}@innore.eu>", mail.MessageId);
            // The portal's clock, not the machine's, dates the mail (the test clock stands still).
            Assert.Equal(host.Clock.GetUtcNow(), DateTimeOffset.Parse(mail.Date!, CultureInfo.InvariantCulture));
            Assert.Equal("auto-generated", mail.AutoSubmitted);
            Assert.Empty(mail.Defects);
        }

        var rows = await host.AllAsync();
        Assert.All(rows, m =>
        {
            Assert.Equal(1, m.Attempts);
            Assert.Equal(host.Clock.GetUtcNow(), m.SentAt);
            Assert.Null(m.LockedBy);
            Assert.Null(m.LockedUntil);
        });
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("123 456", StringComparison.Ordinal) || l.Contains("token=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_sign_in_mail_loses_its_link_and_code_while_other_dead_mails_keep_their_text()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port,
            new Dictionary<string, string?> { ["Email:Dispatcher:MaxPermanentFailures"] = "1" });
        var ids = await host.EnqueueSecretAsync(("reject.me@example.no", TestMails.Norwegian("123 456")));
        var plain = (await host.EnqueueAsync(("reject.me@example.no", TestMails.Estonian())))[0];

        await host.Dispatcher.DispatchDueAsync(CancellationToken.None);

        var secret = await host.FindAsync(ids[0]);
        Assert.Equal(OutboxStatus.Dead, secret.Status);
        Assert.Equal(OutboxDispatcher.WipedBody, secret.TextBody);
        Assert.Equal(OutboxDispatcher.WipedBody, secret.HtmlBody);
        var other = await host.FindAsync(plain);
        Assert.Equal(OutboxStatus.Dead, other.Status);
        Assert.Contains(TestMails.EstonianBody, other.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_the_mail_while_smtp_is_down_and_sends_it_exactly_once_when_it_is_back()
    {
        await using var smtp = LocalSmtpServer.Create(); // port reserved, nothing listening
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port);
        var id = (await host.EnqueueAsync(("kari.nordmann@example.no", TestMails.Norwegian())))[0];
        await host.StartAsync();

        await EmailTestHost.EventuallyAsync(async () => (await host.FindAsync(id)).Attempts == 1, because: "a first, failed attempt");
        await Task.Delay(600); // the clock stands still, so the retry is not due: no hammering
        var waiting = await host.FindAsync(id);
        Assert.Equal(OutboxStatus.Pending, waiting.Status);
        Assert.Equal(1, waiting.Attempts);
        Assert.Equal(0, waiting.PermanentFailures);
        Assert.True(waiting.NextAttemptAt > host.Clock.GetUtcNow(), "the retry is scheduled in the future");
        Assert.InRange(waiting.NextAttemptAt - host.Clock.GetUtcNow(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
        Assert.NotNull(waiting.LastError);
        Assert.Null(waiting.LockedBy);
        output.WriteLine($"while down: {waiting.LastError}");

        await smtp.StartAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        await EmailTestHost.EventuallyAsync(async () => (await host.FindAsync(id)).Status == OutboxStatus.Sent, because: "sent once SMTP is back");
        await Task.Delay(600);
        var sent = await host.FindAsync(id);
        Assert.Equal(2, sent.Attempts);
        Assert.Null(sent.LastError);
        var file = Assert.Single(smtp.DeliveredFiles());
        Assert.Equal(TestMails.NorwegianSubject, (await ParsedMail.ReadAsync(file)).Subject);
    }

    [Fact]
    public async Task A_permanently_refused_mail_is_dead_after_max_permanent_failures_and_others_still_go_out()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port,
            new Dictionary<string, string?> { ["Email:Dispatcher:MaxPermanentFailures"] = "3" });
        var ids = await host.EnqueueAsync(
            ("reject.me@example.no", TestMails.Norwegian()),
            ("kari.nordmann@example.no", TestMails.Norwegian()));
        var (refused, fine) = (ids[0], ids[1]);

        for (var round = 1; round <= 3; round++)
        {
            await host.Dispatcher.DispatchDueAsync(CancellationToken.None);
            var row = await host.FindAsync(refused);
            Assert.Equal(round, row.PermanentFailures);
            Assert.Contains("550", row.LastError, StringComparison.Ordinal);
            Assert.Equal(round < 3 ? OutboxStatus.Pending : OutboxStatus.Dead, row.Status);
            host.Clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));
        var dead = await host.FindAsync(refused);
        Assert.Equal(OutboxStatus.Dead, dead.Status);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal(OutboxStatus.Sent, (await host.FindAsync(fine)).Status);
        Assert.Single(smtp.DeliveredFiles());
        output.WriteLine($"dead letter: {dead.LastError}");
    }

    [Fact]
    public async Task Two_dispatchers_on_one_database_never_send_a_mail_twice()
    {
        const int Count = 50;
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        var settings = new Dictionary<string, string?> { ["Email:Dispatcher:BatchSize"] = "5" };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var first = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port, settings, clock);
        await using var second = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port, settings, clock);
        await first.EnqueueAsync([.. Enumerable.Range(1, Count).Select(i => ($"person{i}@example.no", TestMails.Plain(i)))]);
        Assert.NotEqual(first.Dispatcher.InstanceId, second.Dispatcher.InstanceId);

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await EmailTestHost.EventuallyAsync(
            async () => (await first.AllAsync()).All(m => m.Status == OutboxStatus.Sent), TimeSpan.FromSeconds(60), "all 50 sent");
        stopwatch.Stop();
        await Task.Delay(600);

        var delivered = await ParsedMail.ReadAllAsync(smtp.DeliveredFiles());
        Assert.Equal(Count, delivered.Count);
        Assert.Equal(Count, delivered.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(Count, delivered.Select(m => m.To).Distinct().Count());
        Assert.All(await first.AllAsync(), m => Assert.Equal(1, m.Attempts));

        var byFirst = first.Logs.Lines.Count(l => l.StartsWith("Information: Sent mail", StringComparison.Ordinal));
        var bySecond = second.Logs.Lines.Count(l => l.StartsWith("Information: Sent mail", StringComparison.Ordinal));
        output.WriteLine($"{Count} mails in {stopwatch.ElapsedMilliseconds} ms; first sent {byFirst}, second sent {bySecond}");
        Assert.Equal(Count, byFirst + bySecond);
        Assert.True(byFirst > 0 && bySecond > 0, "both dispatchers took part");
    }

    [Fact]
    public async Task A_batch_goes_out_over_as_many_connections_at_once_as_configured_and_no_more()
    {
        // A server that accepts but never greets: every SmtpClient waits on its own connection, so
        // the connections open at one time are the mails in flight at one time.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var settings = new Dictionary<string, string?> { ["Email:Dispatcher:Concurrency"] = "3" };
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, port, settings);
        await host.EnqueueAsync([.. Enumerable.Range(1, 8).Select(i => ($"person{i}@example.no", TestMails.Plain(i)))]);
        await host.StartAsync();

        var open = new List<System.Net.Sockets.TcpClient>();
        try
        {
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(8)))
            {
                while (open.Count < 3)
                {
                    open.Add(await listener.AcceptTcpClientAsync(patience.Token));
                }
            }

            using var fourth = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => open.Add(await listener.AcceptTcpClientAsync(fourth.Token)));
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_busy_outbox_reuses_one_connection_up_to_its_cap_and_ends_each_with_quit()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port, new Dictionary<string, string?>
        {
            ["Email:Dispatcher:Concurrency"] = "1",
            ["Email:Smtp:MaxMailsPerConnection"] = "25",
        });
        await host.EnqueueAsync([.. Enumerable.Range(1, 30).Select(i => ($"person{i}@example.no", TestMails.Plain(i)))]);
        await host.StartAsync();

        await EmailTestHost.EventuallyAsync(async () => (await host.AllAsync()).All(m => m.Status == OutboxStatus.Sent), because: "all 30 sent");
        // 25 mails on the first connection, which then says QUIT; 5 on the second, closed with QUIT
        // once the outbox is empty instead of being left open.
        await EmailTestHost.EventuallyAsync(() => Task.FromResult(smtp.Events().Count(e => e == "QUIT") == 2), because: "both connections ended");
        Assert.Equal(["EHLO", "QUIT", "EHLO", "QUIT"], smtp.Events());
        Assert.Equal(30, smtp.DeliveredFiles().Count);
    }

    [Fact]
    public async Task After_a_refused_mail_the_next_one_goes_out_on_a_fresh_connection()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port,
            new Dictionary<string, string?> { ["Email:Dispatcher:Concurrency"] = "1" });
        // Queued a second apart, so the batch sends them in this order (mails queued at one instant have none).
        var ids = new List<Guid>();
        foreach (var (to, n) in new[] { ("first@example.no", 1), ("reject-me@example.no", 2), ("third@example.no", 3) })
        {
            ids.AddRange(await host.EnqueueAsync((to, TestMails.Plain(n))));
            host.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));

        Assert.Equal(OutboxStatus.Sent, (await host.FindAsync(ids[0])).Status);
        Assert.StartsWith("550", (await host.FindAsync(ids[1])).LastError, StringComparison.Ordinal);
        Assert.Equal(OutboxStatus.Sent, (await host.FindAsync(ids[2])).Status);
        // The server process logs what it saw on its own time: wait for it rather than race it.
        await EmailTestHost.EventuallyAsync(() => Task.FromResult(smtp.Events().Count(e => e == "EHLO") >= 2 && smtp.DeliveredFiles().Count >= 2), because: "two connections and two mails");
        Assert.Equal(2, smtp.Events().Count(e => e == "EHLO"));
        Assert.Equal(2, smtp.DeliveredFiles().Count);
    }

    [Fact]
    public async Task A_mail_with_a_one_click_address_carries_the_rfc_8058_headers_and_others_do_not()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port);
        var stop = new Uri("https://portal.example/nb/unsubscribe/abc");
        Guid withLink;
        await using (var scope = host.Get<IServiceScopeFactory>().CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
            withLink = outbox.Enqueue("kari.nordmann@example.no", TestMails.Norwegian(), "test", listUnsubscribe: stop).Id;
            outbox.Enqueue("mari.maasikas@example.ee", TestMails.Estonian(), "test");
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().SaveChangesAsync();
        }

        Assert.Equal(2, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));

        var mails = await ParsedMail.ReadAllAsync(smtp.DeliveredFiles());
        var kari = Assert.Single(mails, m => m.To == "kari.nordmann@example.no");
        Assert.Equal($"<{withLink:N}@innore.eu>", kari.MessageId);
        Assert.Equal("<https://portal.example/nb/unsubscribe/abc>", kari.ListUnsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", kari.ListUnsubscribePost);
        var mari = Assert.Single(mails, m => m.To == "mari.maasikas@example.ee");
        Assert.Null(mari.ListUnsubscribe);
        Assert.Null(mari.ListUnsubscribePost);
        Assert.All(mails, m => Assert.Empty(m.Defects));
    }

    [Fact]
    public async Task A_committed_mail_wakes_the_dispatcher_before_the_next_poll()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port,
            new Dictionary<string, string?> { ["Email:Dispatcher:PollInterval"] = "00:10:00" });
        await host.StartAsync();
        await Task.Delay(500); // the first, empty round is over; the dispatcher now waits ten minutes

        var stopwatch = Stopwatch.StartNew();
        var id = (await host.EnqueueAsync(("kari.nordmann@example.no", TestMails.Norwegian())))[0];
        await EmailTestHost.EventuallyAsync(async () => (await host.FindAsync(id)).Status == OutboxStatus.Sent, TimeSpan.FromSeconds(10), "woken by the commit");
        output.WriteLine($"commit to sent: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Single(smtp.DeliveredFiles());
    }

    [Fact]
    public async Task A_lease_held_by_another_instance_is_respected_until_it_expires()
    {
        await using var smtp = await LocalSmtpServer.StartNewAsync();
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtp.Port);
        var id = (await host.EnqueueAsync(("kari.nordmann@example.no", TestMails.Norwegian())))[0];
        var now = host.Clock.GetUtcNow();
        await using (var scope = host.Get<IServiceScopeFactory>().CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var row = await db.Outbox.FindAsync(id);
            row!.LockedBy = "another-instance";
            row.LockedUntil = now.AddMinutes(5);
            await db.SaveChangesAsync();
        }

        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Empty(smtp.DeliveredFiles());

        host.Clock.Advance(TimeSpan.FromMinutes(6)); // the other instance died; its lease ran out
        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal(OutboxStatus.Sent, (await host.FindAsync(id)).Status);
        Assert.Single(smtp.DeliveredFiles());
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_the_cap()
    {
        var dispatcher = new OutboxDispatcher(
            null!, null!, new OutboxSignal(), TimeProvider.System,
            Microsoft.Extensions.Options.Options.Create(new EmailOptions
            {
                Dispatcher = new OutboxDispatcherOptions { BackoffBase = TimeSpan.FromSeconds(10), BackoffCap = TimeSpan.FromMinutes(5) },
            }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);

        for (var i = 0; i < 100; i++)
        {
            Assert.InRange(dispatcher.Backoff(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
            Assert.InRange(dispatcher.Backoff(3), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40));
            Assert.InRange(dispatcher.Backoff(50), TimeSpan.FromMinutes(2.5), TimeSpan.FromMinutes(5));
        }
    }
}
