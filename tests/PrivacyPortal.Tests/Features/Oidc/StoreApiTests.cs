using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class StoreApiTests : IDisposable
{
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public StoreApiTests()
    {
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task A_store_pushes_records_idempotently_into_its_own_company()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var body = new
        {
            records = new object[]
            {
                new { externalId = "NO-2026-0001", email = "Kari.Nordmann@example.no", category = "orders", summary = "Order NO-2026-0001: shelf", content = new { total = 1200, currency = "NOK" }, retentionFrom = "2025-01-10" },
                new { externalId = "NO-2026-0002", email = "new.customer@example.no", category = "contact", summary = "Delivery address", content = new { address = "Storgata 1" }, retentionFrom = "2025-01-10" },
            },
        };

        var first = await PushAsync(token, body);
        Assert.Equal(2, first.GetProperty("created").GetInt32());
        var second = await PushAsync(token, body);
        Assert.Equal(0, second.GetProperty("created").GetInt32());
        Assert.Equal(2, second.GetProperty("unchanged").GetInt32());

        var rows = await flow.WithDbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SourceStoreId == DevClients.No && r.ExternalId!.StartsWith("NO-2026")).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("innore-no", r.ControllerId));
        var kari = await flow.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "kari.nordmann@example.no"));
        Assert.Equal(kari.Id, rows.Single(r => r.ExternalId == "NO-2026-0001").SubjectId);
        Assert.True(await flow.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "new.customer@example.no")));

        var changed = await PushAsync(token, new { records = new[] { new { externalId = "NO-2026-0001", sub = kari.Id.ToString(), category = "orders", summary = "Order NO-2026-0001: shelf (returned)", content = new { total = 0 }, retentionFrom = "2025-01-10" } } });
        Assert.Equal(1, changed.GetProperty("updated").GetInt32());
    }

    [Theory]
    [InlineData("category", "cookies-of-mars", "records[1].category")]
    [InlineData("retentionFrom", "10.01.2026", "records[1].retentionFrom")]
    [InlineData("sub", "not-a-guid", "records[1].sub")]
    [InlineData("sub", "6f1c1b9e-0000-4000-8000-000000000000", "records[1]")] // nobody has this sub
    [InlineData("email", "not an address", "records[1].email")]
    [InlineData("retentionFrom", "9999-01-01", "records[1].retentionFrom")]
    [InlineData("retentionFrom", "1899-12-31", "records[1].retentionFrom")]
    [InlineData("category", "project-data", "records[1]")] // B2B-only, and Kari is a consumer
    [InlineData("category", "orders", "records[1]")] // consumer-only, and Ola is a business contact
    public async Task A_bad_record_is_refused_with_problem_json_naming_the_field_and_nothing_is_written(string field, string value, string path)
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var bad = new Dictionary<string, object>
        {
            ["externalId"] = "NO-BAD-2", ["email"] = "ola.hansen@bygg.example.no", ["category"] = "orders",
            ["summary"] = "x", ["content"] = new { a = 1 }, ["retentionFrom"] = "2025-01-10",
        };
        bad[field] = value;
        if (value == "project-data")
        {
            bad["email"] = "kari.nordmann@example.no";
        }

        var body = new { records = new object[] { new { externalId = "NO-BAD-1", email = "fresh.person@example.no", category = "orders", summary = "ok", content = new { a = 1 }, retentionFrom = "2025-01-10" }, bad } };

        using var response = await SendAsync(token, HttpMethod.Post, "/api/v1/records", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OidcFlow.JsonAsync(response);
        Assert.Equal(path, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(path, out _));
        Assert.False(await flow.WithDbAsync(db => db.HeldRecords.AnyAsync(r => r.ExternalId!.StartsWith("NO-BAD"))));
        Assert.False(await flow.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "fresh.person@example.no")));
    }

    [Fact]
    public async Task An_unknown_sub_and_a_category_that_does_not_fit_the_person_get_the_same_answer()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var ola = await flow.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "ola.hansen@bygg.example.no"));

        var unknown = await RefusalAsync(token, "6f1c1b9e-0000-4000-8000-000000000000");
        var wrongKind = await RefusalAsync(token, ola.Id.ToString());

        Assert.Equal(unknown, wrongKind);
    }

    private async Task<string> RefusalAsync(string token, string sub)
    {
        var body = new { records = new[] { new { externalId = "NO-SHAPE-1", sub, category = "orders", summary = "x", content = new { a = 1 }, transactionDate = "2025-01-10" } } };
        using var response = await SendAsync(token, HttpMethod.Post, "/api/v1/records", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OidcFlow.JsonAsync(response);
        return problem.GetProperty("field").GetString() + " " + problem.GetProperty("detail").GetString();
    }

    [Fact]
    public async Task A_new_person_told_of_with_b2b_data_is_a_business_contact()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime);

        await PushAsync(token, new { records = new[] { new { externalId = "NO-B2B-1", email = "site.manager@bygg2.example.no", category = "project-data", summary = "Project", content = new { site = "Oslo" }, transactionDate = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } } });

        var person = await flow.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "site.manager@bygg2.example.no"));
        Assert.Equal(PrivacyPortal.Data.AccountKind.BusinessContact, person.Kind);
    }

    [Fact]
    public async Task Content_with_a_field_name_twice_is_refused_naming_the_field()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/records")
        {
            Content = new StringContent(
                """{"records":[{"externalId":"NO-DUP-1","email":"kari.nordmann@example.no","category":"orders","summary":"s","content":{"total":1,"total":2},"retentionFrom":"2025-01-10"}]}""",
                System.Text.Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await browser.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OidcFlow.JsonAsync(response);
        Assert.Equal("records[0].content.total", problem.GetProperty("field").GetString());
        Assert.False(await flow.WithDbAsync(db => db.HeldRecords.AnyAsync(r => r.ExternalId == "NO-DUP-1")));
    }

    [Fact]
    public async Task Parallel_retries_of_one_push_end_as_one_row_per_record_and_one_new_person()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var body = new
        {
            records = Enumerable.Range(1, 3).Select(i => new
            {
                externalId = $"NO-PAR-{i}", email = "parallel.customer@example.no", category = "orders", summary = $"Order {i}",
                content = new { total = i }, retentionFrom = "2025-01-10",
            }).ToArray(),
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await SendAsync(token, HttpMethod.Post, "/api/v1/records", body);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.OK, a.Body));
        var people = await flow.WithDbAsync(db => db.Users.AsNoTracking().Where(u => u.Email == "parallel.customer@example.no").Select(u => u.Id).ToListAsync());
        var person = Assert.Single(people);
        var rows = await flow.WithDbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.ExternalId!.StartsWith("NO-PAR-")).ToListAsync());
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(person, r.SubjectId));
        Assert.All(answers, a => Assert.Contains(person.ToString(), a.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_category_of_the_other_company_is_checked_against_the_callers_company()
    {
        // innore.eu belongs to Innore OÜ: the records land there, never at INNORE AS.
        var token = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);

        await PushAsync(token, new { records = new[] { new { externalId = "EE-1", email = "mari.maasikas@example.ee", category = "orders", summary = "Order", content = new { a = 1 }, retentionFrom = "2025-01-10" } } });

        var row = await flow.WithDbAsync(db => db.HeldRecords.SingleAsync(r => r.ExternalId == "EE-1"));
        Assert.Equal("innore-ee", row.ControllerId);
        Assert.Equal(DevClients.Eu, row.SourceStoreId);
    }

    [Fact]
    public async Task The_api_refuses_no_token_a_persons_token_and_a_token_without_the_scope()
    {
        using (var anonymous = await SendAsync(null, HttpMethod.Get, "/api/v1/suppressions"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }

        var person = await flow.SignInToStoreAsync(scope: "openid");
        using (var personal = await SendAsync(person.GetProperty("access_token").GetString(), HttpMethod.Get, "/api/v1/suppressions"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, personal.StatusCode);
        }

        var tasksOnly = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret, "store.tasks");
        using (var forbidden = await SendAsync(tasksOnly, HttpMethod.Get, "/api/v1/suppressions"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using var allowed = await SendAsync(tasksOnly, HttpMethod.Get, "/api/v1/tasks");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_store_token_is_honoured_until_it_expires_with_30_seconds_for_clocks_that_differ_and_an_id_token_is_no_access_token()
    {
        var token = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        var lifetime = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).ValidTo - new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).IssuedAt;

        factory.Clock.Advance(lifetime + TimeSpan.FromSeconds(20));
        using (var withinSkew = await SendAsync(token, HttpMethod.Get, "/api/v1/tasks"))
        {
            Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(20));
        using (var expired = await SendAsync(token, HttpMethod.Get, "/api/v1/tasks"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }

        // Signed by the same provider, for the same client, but an ID token: the type check refuses it.
        var signIn = await flow.SignInToStoreAsync(scope: "openid");
        using var idToken = await SendAsync(signIn.GetProperty("id_token").GetString(), HttpMethod.Get, "/api/v1/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, idToken.StatusCode);
    }

    [Fact]
    public async Task A_revoked_store_token_is_refused()
    {
        var token = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        using var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        revoke.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
        (await browser.Http.SendAsync(revoke)).Dispose();

        using var response = await SendAsync(token, HttpMethod.Get, "/api/v1/tasks");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_store_token_has_no_token_row_and_once_revoked_is_inactive_at_introspection()
    {
        var rowsBefore = await flow.WithDbAsync(db => db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().CountAsync());
        var token = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        var other = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);

        Assert.Equal(rowsBefore, await flow.WithDbAsync(db => db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().CountAsync()));
        Assert.True((await IntrospectAsync(token)).GetProperty("active").GetBoolean());
        using (var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) })
        {
            revoke.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
            using var revoked = await browser.Http.SendAsync(revoke);
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        Assert.False((await IntrospectAsync(token)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsync(other)).GetProperty("active").GetBoolean());
        using var stillWorks = await SendAsync(other, HttpMethod.Get, "/api/v1/tasks");
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    private async Task<JsonElement> IntrospectAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
        using var response = await browser.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await OidcFlow.JsonAsync(response);
    }

    [Fact]
    public async Task Lists_answer_with_a_cursor_and_unknown_tasks_are_404()
    {
        var token = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);

        foreach (var path in new[] { "/api/v1/suppressions?since=abc", "/api/v1/marketing-permissions", "/api/v1/tasks" })
        {
            using var response = await SendAsync(token, HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await OidcFlow.JsonAsync(response);
            // The demo data's one change at INNORE AS: Kari's newsletter subscription.
            Assert.Equal(path == "/api/v1/marketing-permissions" ? 1 : 0, page.GetProperty("items").GetArrayLength());
            Assert.False(page.GetProperty("hasMore").GetBoolean());
        }

        using var ack = await SendAsync(token, HttpMethod.Post, "/api/v1/tasks/987654321/acknowledge");
        Assert.Equal(HttpStatusCode.NotFound, ack.StatusCode);
    }

    [Fact]
    public async Task Cookie_consent_is_only_told_about_people_the_stores_company_knows()
    {
        var no = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);

        using (var kari = await SendAsync(no, HttpMethod.Get, "/api/v1/people/cookie-consent?email=kari.nordmann@example.no"))
        {
            Assert.Equal(HttpStatusCode.OK, kari.StatusCode);
            var body = await OidcFlow.JsonAsync(kari);
            Assert.Equal(JsonValueKind.Null, body.GetProperty("cookieConsent").ValueKind);
        }

        // Mari is a customer of Innore OÜ only.
        using var mari = await SendAsync(no, HttpMethod.Get, "/api/v1/people/cookie-consent?email=mari.maasikas@example.ee");
        Assert.Equal(HttpStatusCode.NotFound, mari.StatusCode);
        using var nobody = await SendAsync(no, HttpMethod.Get, "/api/v1/people/cookie-consent?email=nobody@example.no");
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
    }

    private Task<string> StoreTokenAsync(string clientId, string secret, string? scope = null) => flow.StoreTokenAsync(clientId, secret, scope);

    private async Task<JsonElement> PushAsync(string token, object body)
    {
        using var response = await SendAsync(token, HttpMethod.Post, "/api/v1/records", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await OidcFlow.JsonAsync(response);
    }

    private Task<HttpResponseMessage> SendAsync(string? token, HttpMethod method, string path, object? body = null) => flow.StoreSendAsync(token, method, path, body);
}
