using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>When erasure removes a person's account, the stores lose what their sign-ins gave them.</summary>
public sealed class AccountErasureTests : IDisposable
{
    private const string Email = "erase.me@example.no";
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public AccountErasureTests()
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
    public async Task Erasing_the_account_revokes_its_refresh_tokens_and_tells_the_store()
    {
        await PushContactRecordAsync();
        var tokens = await flow.SignInToStoreAsync(email: Email);
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var sid = OidcFlow.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("sid").GetString()!;
        var person = await flow.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        var staff = await flow.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "dpo@innore.example"));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var filed = await scope.ServiceProvider.GetRequiredService<FileRequestCommand>()
                .ExecuteAsync(person.Id, new FileRequestInput(RequestKind.Erasure, ["innore-no"], null, Guid.NewGuid()), CancellationToken.None);
            Assert.True(filed.Succeeded);
            var outcome = await scope.ServiceProvider.GetRequiredService<CarryOutRequestCommand>()
                .ExecuteAsync(filed.RequestId!.Value, staff.Id, new CarryOutInput(null), CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.ErrorKey);
        }

        using var refresh = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(refresh)).GetProperty("error").GetString());
        var grant = await flow.WithDbAsync(db => db.Set<OidcGrant>().AsNoTracking().SingleAsync(g => g.SubjectId == person.Id));
        Assert.Equal(RevokeSubjectGrantsCommand.Reason, grant.RevokedReason);
        var notification = await flow.WithDbAsync(db => db.Set<OidcLogoutNotification>().AsNoTracking().SingleAsync(n => n.SubjectId == person.Id));
        Assert.Equal(DevClients.Eu, notification.ClientId);
        Assert.Equal(sid, notification.SessionId.ToString());
    }

    [Fact]
    public async Task A_refresh_token_of_a_locked_out_account_is_refused_even_if_its_grant_was_not_revoked()
    {
        await PushContactRecordAsync();
        var tokens = await flow.SignInToStoreAsync(email: Email);
        await flow.WithDbAsync(db => db.Users.Where(u => u.Email == Email)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue).SetProperty(u => u.LockoutEnabled, true)));

        using var refresh = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString() });

        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(refresh)).GetProperty("error").GetString());
    }

    /// <summary>Makes the person the way a store would: only erasable data, so erasure removes the account.</summary>
    private async Task PushContactRecordAsync()
    {
        using var tokenResponse = await flow.TokenAsync(DevClients.No, DevClients.NoSecret, new() { ["grant_type"] = "client_credentials" });
        var token = (await OidcFlow.JsonAsync(tokenResponse)).GetProperty("access_token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/records")
        {
            Content = JsonContent.Create(new { records = new[] { new { externalId = "NO-ERASE-1", email = Email, category = "contact", summary = "Delivery address", content = new { address = "Storgata 2" }, retentionFrom = "2025-01-10" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await browser.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
