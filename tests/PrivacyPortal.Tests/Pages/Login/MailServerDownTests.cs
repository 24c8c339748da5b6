using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Login;

public sealed class MailServerDownTests
{
    [Fact]
    public async Task Asking_for_a_link_while_the_mail_server_is_down_loses_nothing_and_the_mail_arrives_once_it_is_back()
    {
        using var smtp = new SmtpTestServer();
        using var app = new PortalAppFactory(smtp).Start();
        smtp.Stop();

        var page = await PortalWithMail.RequestLinkAsync(app.CreateCookieAwareClient(), "kari.nordmann@example.no", "nb");
        Assert.Equal("Sjekk e-posten din", page.QuerySelector("main h1")!.TextContent);

        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            OutboxMessage? pending = null;
            while (DateTime.UtcNow < deadline)
            {
                pending = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(m => m.To == "kari.nordmann@example.no" && m.Attempts > 0);
                if (pending is not null)
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.NotNull(pending);
            Assert.Equal(OutboxStatus.Pending, pending.Status);
            Assert.NotNull(pending.LastError);
        }

        smtp.Start();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var mail = await smtp.WaitForMailAsync("kari.nordmann@example.no");

        // The link still works: 10 minutes is within its lifetime.
        var client = app.CreateCookieAwareClient();
        var response = await PortalWithMail.ConfirmAsync(client, mail);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        await Task.Delay(1000);
        Assert.Single(smtp.All, m => m.IsAddressedTo("kari.nordmann@example.no"));
    }
}
