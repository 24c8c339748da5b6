using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Testing.Auth;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>The development mailbox at /dev/mailbox, through the whole web app.</summary>
public sealed class DevMailboxPageTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private WebApplicationFactory<Program> App(string environment) => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseEnvironment(environment);
        // Outside Development the portal will not start without a certificate for its key ring.
        web.UseSetting("DataProtection:Certificate:Path", TestCertificate.Path);
        web.UseSetting("DataProtection:Certificate:Password", TestCertificate.Password);
        web.UseSetting("ConnectionStrings:Portal", $"Data Source={folder.Database}");
        web.UseSetting("Portal:SeedDemoData", "false");
        web.UseSetting("Email:Transport", "Pickup");
        web.UseSetting("Email:PickupDirectory", Path.Combine(folder.Path, "mail"));
        web.UseSetting("Email:Dispatcher:PollInterval", "00:00:00.200");
    });

    private static async Task<Guid> EnqueueAsync(WebApplicationFactory<Program> app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Contains("pp-email-", db.Database.GetConnectionString(), StringComparison.Ordinal);
        await db.Database.MigrateAsync();
        var id = scope.ServiceProvider.GetRequiredService<Outbox>().Enqueue("kari.nordmann@example.no", TestMails.Norwegian("123 456"), "sign-in").Id;
        await db.SaveChangesAsync();
        return id;
    }

    [Fact]
    public async Task Lists_the_mails_and_shows_one_with_its_html_in_a_sandboxed_frame()
    {
        await using var app = App("Development");
        var id = await EnqueueAsync(app);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        var parser = new HtmlParser();

        var list = await client.GetAsync(new Uri("/dev/mailbox", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var listDocument = parser.ParseDocument(await list.Content.ReadAsStringAsync());
        var link = Assert.Single(listDocument.QuerySelectorAll("tbody tr a"));
        Assert.Equal(TestMails.NorwegianSubject, link.TextContent);
        Assert.Equal($"/dev/mailbox/{id}", link.GetAttribute("href"));
        Assert.Contains("kari.nordmann@example.no", listDocument.QuerySelector("tbody")!.TextContent, StringComparison.Ordinal);

        var page = await client.GetAsync(new Uri($"/dev/mailbox/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var document = parser.ParseDocument(await page.Content.ReadAsStringAsync());
        Assert.Equal(TestMails.NorwegianSubject, document.QuerySelector("h1")!.TextContent);
        Assert.Contains(TestMails.NorwegianBody, document.QuerySelector("pre")!.TextContent, StringComparison.Ordinal);
        var frame = document.QuerySelector("iframe")!;
        Assert.Equal($"/dev/mailbox/{id}/html", frame.GetAttribute("src"));
        Assert.DoesNotContain("allow-scripts", frame.GetAttribute("sandbox"), StringComparison.Ordinal);
        Assert.DoesNotContain("allow-same-origin", frame.GetAttribute("sandbox"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(frame.GetAttribute("title")));
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var html = await client.GetAsync(new Uri($"/dev/mailbox/{id}/html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var csp = html.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", html.Headers.GetValues("X-Frame-Options").Single());
        var mail = parser.ParseDocument(await html.Content.ReadAsStringAsync());
        Assert.Equal("_top", mail.QuerySelector("head > base")!.GetAttribute("target"));
        Assert.Equal("http://localhost:5080/nb/login/confirm?token=abc", mail.QuerySelector("a[href]")!.GetAttribute("href"));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/dev/mailbox/{Guid.NewGuid()}", UriKind.Relative))).StatusCode);

        // The app's own dispatcher, registered by AddPortalEmail, delivers it to the pickup folder.
        var pickup = Path.Combine(folder.Path, "mail");
        await EmailTestHost.EventuallyAsync(
            () => Task.FromResult(Directory.Exists(pickup) && Directory.GetFiles(pickup, $"*-{id}.eml").Length == 1),
            because: "the hosted dispatcher writes the .eml file");
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Does_not_exist_outside_development(string environment)
    {
        await using var app = App(environment);
        var id = await EnqueueAsync(app);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        foreach (var path in new[] { "/dev/mailbox", $"/dev/mailbox/{id}", $"/dev/mailbox/{id}/html" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }
}
