using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Impersonation;

/// <summary>
/// The read-only rule of a view as customer is the database's own: a write on any path fails on
/// the request's connection, a refused handler leaves nothing behind, the read-only state does not
/// leak to the next requests on pooled connections, and the view-as cookie opens nothing without
/// the staff member's own session cookie.
/// </summary>
public sealed class DatabaseReadOnlyTests
{
    [Fact]
    public async Task A_raw_sql_write_on_the_requests_own_connection_fails_while_viewing_and_the_customers_own_requests_afterwards_can_write()
    {
        var probe = new WriteProbe();
        using var host = new PortalHost(configure: f => f.WithServices(s => s.Configure<MvcOptions>(o => o.Filters.Add(probe))));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var name = await DisplayNameAsync(host, kariId);
        using (var support = await host.StaffAsync(PortalHost.Support))
        {
            await ImpersonationFlows.StartedAsync(support, kariId);
            for (var i = 0; i < 3; i++)
            {
                using var response = await SendAsync(support, "/nb/my-data", WriteProbe.RawWrite);
                var html = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains("id=\"impersonation-banner\"", html, StringComparison.Ordinal);
            }

            Assert.Equal(["refused by the database", "refused by the database", "refused by the database"], probe.Take());
            Assert.Equal(name, await DisplayNameAsync(host, kariId));
        }

        // Kari herself, on the same pools (several requests, so pooled connections come back round).
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        for (var i = 0; i < 4; i++)
        {
            using var response = await SendAsync(kari, "/nb/my-data", WriteProbe.RawWrite);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["written", "written", "written", "written"], probe.Take());
        Assert.Equal(WriteProbe.WrittenName, await DisplayNameAsync(host, kariId));
    }

    [Fact]
    public async Task A_refused_write_saves_nothing_the_handler_queued_not_even_its_mail_and_is_answered_with_the_refusal_page()
    {
        var probe = new WriteProbe();
        using var host = new PortalHost(configure: f => f.WithServices(s => s.Configure<MvcOptions>(o => o.Filters.Add(probe))));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        var before = ImpersonationFlows.Snapshot(host);
        var refusals = await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == ImpersonationGuard.RefusedAction && e.SubjectId == kariId));

        using var response = await SendAsync(support, "/nb/my-data", WriteProbe.QueueThenSave);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("id=\"impersonation-refused\"", html, StringComparison.Ordinal);
        Assert.Contains("Ingenting ble endret", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Equal(before, ImpersonationFlows.Snapshot(host));
        Assert.Equal(0, await host.DbAsync(db => db.Outbox.CountAsync(m => m.Kind == WriteProbe.Kind)));
        Assert.Equal(0, await host.DbAsync(db => db.Set<PortalSetting>().CountAsync(s => s.Key == WriteProbe.Kind)));
        Assert.Equal(refusals + 1, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == ImpersonationGuard.RefusedAction && e.SubjectId == kariId)));

        // The view goes on, and its next page is audited on its own connection as before.
        Assert.NotNull((await support.GetPageAsync("/nb/my-data")).QuerySelector("#impersonation-banner"));
    }

    [Fact]
    public async Task A_copied_view_as_cookie_opens_nothing_without_the_staff_members_own_session_cookie()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        var stolen = support.Cookies.GetCookies(support.BaseAddress).Single(c => c.Name.EndsWith("pp.imp", StringComparison.Ordinal));

        using var thief = host.Anonymous();
        using var mari = await host.SignInAsync(PortalHost.Mari, "nb");
        foreach (var browser in new[] { thief, mari })
        {
            browser.Cookies.Add(support.BaseAddress, new Cookie(stolen.Name, stolen.Value, "/"));
            using var response = await browser.GetAsync("/nb/my-data");
            var html = await response.Content.ReadAsStringAsync();
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/staff", response.Headers.Location?.OriginalString);
            Assert.DoesNotContain("Kari", html, StringComparison.Ordinal);
        }

        // Mari is still herself, and the view goes on in the staff member's own browser.
        Assert.Null((await mari.GetPageAsync("/nb/my-data")).QuerySelector("#impersonation-banner"));
        Assert.NotNull((await support.GetPageAsync("/nb/my-data")).QuerySelector("#impersonation-banner"));
    }

    private static async Task<HttpResponseMessage> SendAsync(CookieAwareClient client, string url, string probe)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(WriteProbe.Header, probe);
        return await client.Http.SendAsync(request);
    }

    private static Task<string> DisplayNameAsync(PortalHost host, Guid id) =>
        host.DbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleAsync());

    /// <summary>
    /// A page filter standing for any code of any page: on request it writes with a raw ADO.NET
    /// command on the request's own DbContext connection, or queues rows and a mail and saves them.
    /// </summary>
    private sealed class WriteProbe : IAsyncPageFilter
    {
        public const string Header = "X-Write-Probe";
        public const string RawWrite = "raw-write";
        public const string QueueThenSave = "queue-then-save";
        public const string Kind = "write-probe";
        public const string WrittenName = "Written by the probe";

        private readonly ConcurrentQueue<string> outcomes = new();

        public List<string> Take()
        {
            var taken = new List<string>();
            while (outcomes.TryDequeue(out var outcome))
            {
                taken.Add(outcome);
            }

            return taken;
        }

        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            var http = context.HttpContext;
            var db = http.RequestServices.GetRequiredService<PortalDbContext>();
            // Once per request: the refusal page is rendered in the same request.
            var probe = http.Items.TryAdd(Header, true) ? http.Request.Headers[Header].ToString() : "";
            switch (probe)
            {
                case RawWrite:
                    outcomes.Enqueue(await RawWriteAsync(db, http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value));
                    break;
                case QueueThenSave:
                    var now = DateTimeOffset.UtcNow;
                    db.Outbox.Add(new OutboxMessage { Id = Guid.NewGuid(), To = PortalHost.Kari, Subject = Kind, Kind = Kind, CreatedAt = now, NextAttemptAt = now });
                    db.Add(new PortalSetting { Key = Kind, Value = Kind, ChangedAt = now });
                    await db.SaveChangesAsync(http.RequestAborted);
                    break;
            }

            await next();
        }

        private static async Task<string> RawWriteAsync(PortalDbContext db, string subjectId)
        {
            var connection = db.Database.GetDbConnection();
            var opened = connection.State != System.Data.ConnectionState.Open;
            if (opened)
            {
                await connection.OpenAsync();
            }

            try
            {
                // The id as the provider stores it: read it back the same raw way.
                await using var command = connection.CreateCommand();
                command.CommandText = "UPDATE \"AspNetUsers\" SET \"DisplayName\" = @name WHERE lower(CAST(\"Id\" AS TEXT)) = @id";
                Add(command, "@name", WrittenName);
                Add(command, "@id", subjectId.ToLowerInvariant());
                var rows = await command.ExecuteNonQueryAsync();
                return rows == 1 ? "written" : $"{rows} rows";
            }
            catch (DbException ex) when (ex is SqliteException { SqliteErrorCode: 8 } or PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction })
            {
                return "refused by the database";
            }
            finally
            {
                if (opened)
                {
                    await connection.CloseAsync();
                }
            }
        }

        private static void Add(DbCommand command, string name, string value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }
}
