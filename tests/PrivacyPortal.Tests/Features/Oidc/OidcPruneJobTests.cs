using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class OidcPruneJobTests : IDisposable
{
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public OidcPruneJobTests()
    {
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
    }

    private Task<List<Guid>> TokenIdsAsync() =>
        flow.WithDbAsync(db => db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().Select(t => t.Id).ToListAsync());

    private async Task<(long Tokens, long Authorizations)> PruneAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await factory.Services.GetRequiredService<OidcPruneJob>().PruneAsync(scope.ServiceProvider, CancellationToken.None);
    }

    [Fact]
    public async Task Rows_of_an_ended_grant_go_once_past_the_longest_lifetime_and_a_live_grant_keeps_its_rows_and_still_refreshes()
    {
        var old = await flow.SignInToStoreAsync();
        var oldRows = await TokenIdsAsync();
        Assert.NotEmpty(oldRows);

        // Nothing is pruned while it may still matter: the redeemed code stays, as a replay must still be recognised.
        Assert.Equal((0, 0), await PruneAsync());
        Assert.Equal(oldRows.Order(), (await TokenIdsAsync()).Order());

        // Past the longest lifetime (the absolute refresh lifetime, 90 days) the first grant is over.
        factory.Clock.Advance(TimeSpan.FromDays(91));
        browser.Dispose();
        using var laterBrowser = factory.CreateCookieAwareClient();
        var laterFlow = new OidcFlow(factory, laterBrowser);
        var live = await laterFlow.SignInToStoreAsync();
        var liveRows = (await TokenIdsAsync()).Except(oldRows).ToList();
        Assert.NotEmpty(liveRows);

        var (tokens, _) = await PruneAsync();
        Assert.Equal(oldRows.Count, tokens);
        Assert.Equal(liveRows.Order(), (await TokenIdsAsync()).Order());

        using var refreshed = await laterFlow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = live.GetProperty("refresh_token").GetString(),
        });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.NotEqual(old.GetProperty("refresh_token").GetString(), live.GetProperty("refresh_token").GetString());
    }
}
