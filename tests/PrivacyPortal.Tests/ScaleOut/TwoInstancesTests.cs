using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// A person moves between two instances behind a load balancer, as round-robin sends them: what
/// one instance issued (cookie, antiforgery token, sign-in link, key ring) works on the other.
/// </summary>
public sealed class TwoInstancesTests(TwoPortals portals) : IClassFixture<TwoPortals>
{
    [Fact]
    public async Task Signed_in_on_A_the_person_continues_on_B_with_the_same_cookie_and_antiforgery_token()
    {
        var client = await portals.SignInAsync("kari.nordmann@example.no", portals.A, portals.A);

        var onB = await client.GetPageAsync(TwoPortals.On(portals.B, "/en/my-data"));
        Assert.Contains("Kari Nordmann", onB.Body!.TextContent, StringComparison.Ordinal);

        // The export form rendered by A, with A's antiforgery token, posted to B.
        var onA = await client.GetPageAsync(TwoPortals.On(portals.A, "/en/my-data"));
        var export = HtmlForm.From(client, onA, "form[action='/en/my-data/export']");
        Assert.NotNull(export.RequestVerificationToken);
        using var download = await client.PostFormAsync(TwoPortals.On(portals.B, "/en/my-data/export"), export.Fields);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);

        // Signing out on B ends the session on A too: the session lives in the database.
        var signOut = HtmlForm.From(client, onA, "form[action='/en/logout']");
        var signedOut = await client.PostFormAsync(TwoPortals.On(portals.B, "/en/logout"), signOut.Fields);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        var afterwards = await client.GetAsync(TwoPortals.On(portals.A, "/en/my-data"));
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.StartsWith("/en/login", afterwards.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_asked_for_on_A_signs_in_on_B_once()
    {
        var client = await portals.SignInAsync("mari.maasikas@example.ee", portals.A, portals.B);
        var onB = await client.GetPageAsync(TwoPortals.On(portals.B, "/en/my-data"));
        Assert.Contains("Mari Maasikas", onB.Body!.TextContent, StringComparison.Ordinal);

        await using var db = portals.Database.NewContext();
        var attempt = await db.MagicLinkTokens.AsNoTracking()
            .Where(t => t.Email == "mari.maasikas@example.ee")
            .OrderByDescending(t => t.CreatedAt)
            .FirstAsync();
        Assert.NotNull(attempt.ConsumedAt);
    }

    [Fact]
    public async Task An_authorization_code_issued_by_A_is_redeemed_at_B_once_and_both_publish_the_same_signing_keys()
    {
        var browser = await portals.SignInAsync("ola.hansen@bygg.example.no", portals.A, portals.A);
        var (verifier, challenge) = OidcFlow.Pkce();
        using var authorized = await browser.GetAsync(TwoPortals.On(portals.A, OidcFlow.AuthorizeUrl(challenge)));
        Assert.Equal(HttpStatusCode.Redirect, authorized.StatusCode);
        Assert.StartsWith(DevClients.EuRedirect, authorized.Headers.Location!.ToString(), StringComparison.Ordinal);
        var code = OidcFlow.QueryValue(authorized.Headers.Location!, "code")!;

        using var store = new HttpClient();
        async Task<HttpResponseMessage> RedeemAtAsync(PortalAppFactory instance)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TwoPortals.On(instance, "/connect/token"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = code,
                    ["redirect_uri"] = DevClients.EuRedirect,
                    ["code_verifier"] = verifier,
                }),
            };
            request.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
            return await store.SendAsync(request);
        }

        using var redeemed = await RedeemAtAsync(portals.B);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var tokens = await OidcFlow.JsonAsync(redeemed);
        using var again = await RedeemAtAsync(portals.A);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        // Either instance's JWKS verifies what the other signed, and both name one issuer.
        var jwksA = await store.GetStringAsync(TwoPortals.On(portals.A, await JwksPathAsync(store, portals.A)));
        var jwksB = await store.GetStringAsync(TwoPortals.On(portals.B, await JwksPathAsync(store, portals.B)));
        Assert.Equal(KeyIds(jwksA), KeyIds(jwksB));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(jwksA).GetSigningKeys(),
            // OpenIddict writes a path-less issuer with a trailing slash (docs/oidc.md).
            ValidIssuer = TwoPortals.PublicBaseUrl + "/",
            ValidAudience = DevClients.Eu,
            // The instances run on a manual clock in the past.
            ValidateLifetime = false,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(await OlaIdAsync(), validation.Claims["sub"]);
    }

    private static async Task<string> JwksPathAsync(HttpClient client, PortalAppFactory instance)
    {
        using var discovery = JsonDocument.Parse(await client.GetStringAsync(TwoPortals.On(instance, "/.well-known/openid-configuration")));
        Assert.Equal(TwoPortals.PublicBaseUrl, discovery.RootElement.GetProperty("issuer").GetString()!.TrimEnd('/'));
        return new Uri(discovery.RootElement.GetProperty("jwks_uri").GetString()!).PathAndQuery;
    }

    private static List<string> KeyIds(string jwks) =>
        [.. JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal)];

    private async Task<string> OlaIdAsync()
    {
        await using var db = portals.Database.NewContext();
        return (await db.Users.SingleAsync(u => u.Email == "ola.hansen@bygg.example.no")).Id.ToString();
    }

    [Fact]
    public async Task Both_instances_use_the_one_data_protection_key_ring_in_the_database()
    {
        var protectedOnA = portals.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Protect("from A");
        var protectedOnB = portals.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Protect("from B");

        Assert.Equal("from A", portals.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Unprotect(protectedOnA));
        Assert.Equal("from B", portals.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Unprotect(protectedOnB));
        await using var db = portals.Database.NewContext();
        Assert.Equal(1, await db.Set<DataProtectionKey>().CountAsync());
    }

    [Fact]
    public async Task Two_instances_starting_together_on_an_empty_database_migrate_it_once()
    {
        await using var database = new PostgresTestDatabase();
        using var a = new PortalAppFactory(useKestrel: true).WithPostgres(database).With("Portal:SeedDemoData", "false");
        using var b = new PortalAppFactory(useKestrel: true).WithPostgres(database).With("Portal:SeedDemoData", "false");

        await Task.WhenAll(Task.Run(() => a.Start()), Task.Run(() => b.Start()));

        await using var db = database.NewContext();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(HttpStatusCode.OK, (await a.CreateCookieAwareClient().GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.CreateCookieAwareClient().GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_burst_of_sign_in_requests_for_one_address_over_two_instances_sends_at_most_the_hourly_limit()
    {
        await using var database = new PostgresTestDatabase();
        using var a = new PortalAppFactory(useKestrel: true).WithPostgres(database)
            .With("Auth:MaxLinksPerAddressPerHour", "3").With("Auth:MaxLinksPerIpPer10Minutes", "10000").Start();
        using var b = new PortalAppFactory(useKestrel: true).WithPostgres(database).With("Portal:SeedDemoData", "false")
            .With("Auth:MaxLinksPerAddressPerHour", "3").With("Auth:MaxLinksPerIpPer10Minutes", "10000").Start();

        var forms = new List<(CookieAwareClient Client, PortalAppFactory Target, IReadOnlyList<KeyValuePair<string, string>> Fields)>();
        for (var i = 0; i < 16; i++)
        {
            var client = CookieAwareClient.ForServer(a.ServerAddress);
            var target = i % 2 == 0 ? a : b;
            var form = await HtmlForm.LoadAsync(client, TwoPortals.On(target, "/en/login"), "main form[method=post]");
            forms.Add((client, target, form.Set("Input.Email", "kari.nordmann@example.no").Fields));
        }

        // All at once, as a script flooding someone's inbox would.
        var answers = await Task.WhenAll(forms.Select(f => f.Client.PostFormAsync(TwoPortals.On(f.Target, "/en/login"), f.Fields)));

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var db = database.NewContext();
        Assert.Equal(3, await db.MagicLinkTokens.CountAsync(t => t.Email == "kari.nordmann@example.no"));
        Assert.Equal(3, await db.Outbox.CountAsync(m => m.To == "kari.nordmann@example.no"));
        Assert.DoesNotContain(await db.Set<RateLimitCounter>().Select(c => c.Key).ToListAsync(), k => k.Contains("kari", StringComparison.OrdinalIgnoreCase));
        foreach (var (client, _, _) in forms)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task The_per_IP_sign_in_limit_is_one_allowance_across_instances()
    {
        await using var database = new PostgresTestDatabase();
        using var a = new PortalAppFactory(useKestrel: true).WithPostgres(database).With("Auth:MaxLinksPerIpPer10Minutes", "4").Start();
        using var b = new PortalAppFactory(useKestrel: true).WithPostgres(database).With("Portal:SeedDemoData", "false")
            .With("Auth:MaxLinksPerIpPer10Minutes", "4").Start();
        using var client = CookieAwareClient.ForServer(a.ServerAddress);

        async Task<HttpStatusCode> AskAsync(PortalAppFactory instance, int i)
        {
            var form = await HtmlForm.LoadAsync(client, TwoPortals.On(instance, "/en/login"), "main form[method=post]");
            return (await form.Set("Input.Email", $"visitor{i}@example.net").SubmitAsync()).StatusCode;
        }

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK],
            [await AskAsync(a, 1), await AskAsync(b, 2), await AskAsync(a, 3), await AskAsync(b, 4)]);
        // In memory per instance, each would still allow two more.
        Assert.Equal(HttpStatusCode.Redirect, await AskAsync(b, 5));
        Assert.Equal(HttpStatusCode.Redirect, await AskAsync(a, 6));

        // A new window starts on the clock (of the instance asked), not on a timer in one process.
        b.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, await AskAsync(b, 7));
    }
}
