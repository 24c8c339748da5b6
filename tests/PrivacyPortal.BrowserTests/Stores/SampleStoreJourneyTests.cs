using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.BrowserTests.Preferences;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using SampleStore;
using SampleStore.StoreApi;

namespace PrivacyPortal.BrowserTests.Stores;

/// <summary>
/// One identity across the group's stores, as a person and a store see it: the sample store
/// (samples/Store) as innore.eu and innore.no, signing in through the portal with the standard
/// OpenID Connect handler and working through the store API.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class SampleStoreJourneyTests(BrowserFixture browser, SampleStores stores) : IClassFixture<SampleStores>
{
    /// <summary>What the staff form proposes for orders: kept on the legal obligation (Art. 17(3)(b)), the rest erased.</summary>
    private static readonly CarryOutInput KeepOrdersForBookkeeping = new(
        null,
        Grounds: new Dictionary<string, ErasureGround> { [CarryOutInput.ChoiceKey("innore-ee", "orders")] = ErasureGround.LegalObligation });

    private static readonly HttpClient Http = new();

    private static readonly Regex PortalLogin = new("/(en|et|nb)/login\\?returnUrl=");

    [Fact]
    public async Task One_sign_in_by_magic_link_serves_both_stores_and_signing_out_on_the_portal_ends_both()
    {
        const string email = "kari.nordmann@example.no";
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        await SignInAtStoreAsync(page, stores.EuAddress, email);
        var sub = (await page.Locator("#sub").TextContentAsync())!;
        Assert.Matches("^[0-9a-f-]{36}$", sub);
        var mails = await SignInMailCountAsync(email);

        // innore.no: the portal session signs the person in without asking again.
        await page.GotoAsync(Address(stores.NoAddress, "account"));
        await page.ExpectAddressAsync(Address(stores.NoAddress, "account"));
        Assert.Equal(sub, await page.Locator("#sub").TextContentAsync());
        Assert.Equal(email, await page.Locator("#email").TextContentAsync());
        Assert.Equal(mails, await SignInMailCountAsync(email));
        await Screenshots.ScreenshotAsync(page, "sample-store-no-account");

        var eu = Assert.Single(SampleStores.Sessions(stores.Eu).Of(sub));
        var no = Assert.Single(SampleStores.Sessions(stores.No).Of(sub));
        // An ID token is no logout token, though the portal signed it for this very store.
        using (var forged = await Http.PostAsync(
            new Uri(stores.EuAddress, "backchannel-logout"),
            new FormUrlEncodedContent([new("logout_token", eu.Properties.GetTokenValue("id_token")!)])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Single(SampleStores.Sessions(stores.Eu).Of(sub));
        }

        await page.GotoAsync("/en/my-data");
        await DismissCookieBannerAsync(page);
        await page.Locator("form[action='/en/logout'] button").ClickAsync();

        // The portal tells both stores by back-channel logout; a page load at each shows signed out.
        foreach (var store in new[] { stores.EuAddress, stores.NoAddress })
        {
            await ExpectSignedOutAsync(page, store);
        }

        Assert.Empty(SampleStores.Sessions(stores.Eu).Of(sub));
        Assert.Empty(SampleStores.Sessions(stores.No).Of(sub));
        // offline_access outlives a portal sign-out, so the stores gave their refresh tokens back.
        Assert.Equal(HttpStatusCode.BadRequest, await RefreshAsync(stores.Eu, eu.Properties.GetTokenValue("refresh_token")!));
        Assert.Equal(HttpStatusCode.BadRequest, await RefreshAsync(stores.No, no.Properties.GetTokenValue("refresh_token")!));
    }

    [Fact]
    public async Task An_objection_on_the_portal_reaches_the_other_stores_claims_and_suppression_feed()
    {
        const string email = "ola.hansen@bygg.example.no";
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAtStoreAsync(page, stores.NoAddress, email);
        var signedIn = DateTime.UtcNow;
        var sub = await page.Locator("#sub").TextContentAsync();
        var objected = page.Locator("#marketing-innore-no .objected-channels");
        await Assertions.Expect(objected).ToHaveTextAsync("none");

        await page.GotoAsync("/en/preferences");
        await DismissCookieBannerAsync(page);
        await page.RunAndWaitForResponseAsync(
            () => page.Locator("button[data-preference='innore-no/DirectMarketing/email']").ClickAsync(),
            r => r.Url.Contains("/preferences?status=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("[role=status]")).ToBeVisibleAsync();

        // A page load once the claims are older than the store's limit reads them again (the
        // refresh token, then userinfo); the button does the same at once.
        var stale = signedIn + SampleStores.NoPrivacyClaimsMaxAge + TimeSpan.FromSeconds(1) - DateTime.UtcNow;
        if (stale > TimeSpan.Zero)
        {
            await Task.Delay(stale);
        }

        await page.GotoAsync(Address(stores.NoAddress, "account"));
        await Assertions.Expect(objected).ToHaveTextAsync("email");
        await page.Locator("#refresh-privacy").ClickAsync();
        await page.ExpectAddressAsync(Address(stores.NoAddress, "account"));
        await Assertions.Expect(objected).ToHaveTextAsync("email");
        await Assertions.Expect(page.Locator("#cookie-choice")).ToContainTextAsync("strictly necessary cookies only");
        await Screenshots.ScreenshotAsync(page, "sample-store-no-account-objected");
        await Axe.AssertNoSeriousViolationsAsync(page);

        await page.GotoAsync(Address(stores.NoAddress, "operations"));
        await page.Locator("#sync-now").ClickAsync();
        var suppression = page.Locator($"#suppressions tr[data-sub='{sub}']");
        await Assertions.Expect(suppression.Locator(".kind")).ToHaveTextAsync("objection");
        await Assertions.Expect(suppression.Locator(".channel")).ToHaveTextAsync("email");
    }

    [Fact]
    public async Task An_erasure_carried_out_on_the_portal_reaches_the_store_as_a_task_it_carries_out_and_acknowledges()
    {
        const string email = "mari.maasikas@example.ee";
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAtStoreAsync(page, stores.EuAddress, email);
        var sub = Guid.Parse((await page.Locator("#sub").TextContentAsync())!);

        await page.GotoAsync(Address(stores.EuAddress, ""));
        await page.Locator("#place-order").ClickAsync();
        await Assertions.Expect(page.Locator("#order-status")).ToContainTextAsync("reported to the privacy portal");
        var order = (await page.Locator("#order-id").TextContentAsync())!;

        await using (var scope = stores.Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.True(await db.HeldRecords.AnyAsync(r => r.SubjectId == sub && r.ExternalId == order));
            var officer = await db.Users.Where(u => u.Email == "dpo@innore.example").Select(u => u.Id).SingleAsync();
            var filed = await scope.ServiceProvider.GetRequiredService<FileRequestCommand>()
                .ExecuteAsync(sub, new FileRequestInput(RequestKind.Erasure, ["innore-ee"], null, Guid.NewGuid()), CancellationToken.None);
            Assert.True(filed.Succeeded);
            var outcome = await scope.ServiceProvider.GetRequiredService<CarryOutRequestCommand>()
                .ExecuteAsync(filed.RequestId!.Value, officer, KeepOrdersForBookkeeping, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.ErrorKey);
        }

        await page.GotoAsync(Address(stores.EuAddress, "operations"));
        await page.Locator("#sync-now").ClickAsync();
        // Orders are under Innore OÜ's bookkeeping duty: kept, restricted, until their retention ends.
        await Assertions.Expect(page.Locator($"#orders tr[data-order='{order}'] .status")).ToContainTextAsync("restricted until");
        await Assertions.Expect(page.Locator($"#tasks tr[data-sub='{sub}'] .kind").First).ToHaveTextAsync("erasure");
        await Screenshots.ScreenshotAsync(page, "sample-store-eu-operations");
        await Axe.AssertNoSeriousViolationsAsync(page);

        await using (var scope = stores.Portal.Services.CreateAsyncScope())
        {
            var tasks = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<RecipientTask>().AsNoTracking()
                .Where(t => t.StoreId == "innore-eu" && t.SubjectId == sub)
                .ToListAsync();
            Assert.NotEmpty(tasks);
            Assert.All(tasks, t => Assert.NotNull(t.AcknowledgedAt));
            Assert.Contains(tasks, t => t.Payload.Contains(order, StringComparison.Ordinal));
        }
    }

    private async Task<IBrowserContext> NewContextAsync()
    {
        stores.CatchUpClock();
        return await browser.NewContextAsync(ViewportPreset.Desktop, stores.Portal.ServerAddress);
    }

    /// <summary>Opens the store's account page, which sends the browser to the portal to sign in by magic link and back.</summary>
    private async Task SignInAtStoreAsync(IPage page, Uri store, string email)
    {
        await page.GotoAsync(Address(store, "account"));
        await page.ExpectAddressAsync(PortalLogin);
        await BrowserSignIn.SignInOnLoginPageAsync(page, stores.Portal, email);
        await page.ExpectAddressAsync(Address(store, "account"));
    }

    private async Task<int> SignInMailCountAsync(string email)
    {
        await using var scope = stores.Portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Outbox.CountAsync(m => m.To == email && m.Kind == "sign-in");
    }

    /// <summary>Loads the store's front page until it shows the person signed out (delivery is asynchronous, and quick).</summary>
    private static async Task ExpectSignedOutAsync(IPage page, Uri store)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await page.GotoAsync(Address(store, ""));
            if (await page.Locator("#signed-out").IsVisibleAsync())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{store} still shows the person signed in.");
            await Task.Delay(200);
        }
    }

    /// <summary>The refresh_token grant at the token endpoint that discovery names, as the store would use it.</summary>
    private async Task<HttpStatusCode> RefreshAsync(WebApplication store, string refreshToken)
    {
        var options = store.Services.GetRequiredService<IOptions<StoreOptions>>().Value;
        using var discovery = await Http.GetFromJsonAsync<JsonDocument>(new Uri(stores.Portal.ServerAddress, ".well-known/openid-configuration"));
        using var request = new HttpRequestMessage(HttpMethod.Post, discovery!.RootElement.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]),
        };
        request.Headers.Authorization = StoreApiClient.ClientAuthentication(options.Id, options.ClientSecret);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task DismissCookieBannerAsync(IPage page)
    {
        if (await page.Locator("#cookie-reject").IsVisibleAsync())
        {
            await page.Locator("#cookie-reject").ClickAsync();
        }
    }

    private static string Address(Uri store, string path) => new Uri(store, path).AbsoluteUri;
}
