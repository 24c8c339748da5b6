using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Testing.Infrastructure;
using PrivacyPortal.Testing.Web;
using SampleStore;
using SampleStore.SignIn;

namespace PrivacyPortal.BrowserTests.Stores;

/// <summary>
/// The portal and both sample stores (samples/Store as innore.eu and innore.no) on Kestrel on free
/// ports, in this process, started once for all the store journeys. The portal registers the stores'
/// addresses as its Development clients do. Its clock starts at the real time and is moved along with
/// it (<see cref="CatchUpClock"/>): the stores check token lifetimes on the real clock, as stores do.
/// </summary>
public sealed class SampleStores : IAsyncLifetime
{
    public SampleStores()
    {
        var eu = FreePort.Next();
        var no = FreePort.Next();
        EuAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{eu}/"));
        NoAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{no}/"));
        Portal = new PortalAppFactory(useKestrel: true)
            .With("Auth:MaxLinksPerAddressPerHour", "100")
            .With("Auth:MaxLinksPerIpPer10Minutes", "10000")
            .With(ClientSettings("innore-eu", EuAddress))
            .With(ClientSettings("innore-no", NoAddress));
    }

    public PortalAppFactory Portal { get; }

    public Uri EuAddress { get; }

    public Uri NoAddress { get; }

    /// <summary>innore.eu (Innore OÜ).</summary>
    public WebApplication Eu { get; private set; } = null!;

    /// <summary>innore.no (INNORE AS).</summary>
    public WebApplication No { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Portal.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        Portal.Start();
        Eu = StartStore("innore-eu", EuAddress);
        // innore.no reads the privacy claims again on the first page load 10 s after the last read.
        No = StartStore("innore-no", NoAddress, $"--Store:PrivacyClaimsMaxAge={NoPrivacyClaimsMaxAge}");
        await Task.WhenAll(Eu.StartAsync(), No.StartAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var store in new[] { Eu, No })
        {
            if (store is not null)
            {
                await store.StopAsync();
                await store.DisposeAsync();
            }
        }

        Portal.Dispose();
    }

    /// <summary>Moves the portal's clock up to the real time, so the tokens it issues are current for the stores.</summary>
    public void CatchUpClock()
    {
        var now = DateTimeOffset.UtcNow;
        if (now > Portal.Clock.GetUtcNow())
        {
            Portal.Clock.SetUtcNow(now);
        }
    }

    public static StoreSessions Sessions(WebApplication store) => store.Services.GetRequiredService<StoreSessions>();

    private static Dictionary<string, string?> ClientSettings(string storeId, Uri store) => new()
    {
        [$"Oidc:Clients:{storeId}:RedirectUris:0"] = new Uri(store, "signin-oidc").AbsoluteUri,
        [$"Oidc:Clients:{storeId}:PostLogoutRedirectUris:0"] = new Uri(store, "signout-callback-oidc").AbsoluteUri,
        [$"Oidc:Clients:{storeId}:BackChannelLogoutUri"] = new Uri(store, "backchannel-logout").AbsoluteUri,
    };

    /// <summary>How old innore.no lets its privacy claims get before a page load reads them again.</summary>
    public static readonly TimeSpan NoPrivacyClaimsMaxAge = TimeSpan.FromSeconds(10);

    private WebApplication StartStore(string storeId, Uri address, params string[] settings) => StoreApp.Build(
    [
        .. settings,
        $"--Store:Id={storeId}",
        $"--Store:Portal={Portal.ServerAddress.GetLeftPart(UriPartial.Authority)}",
        $"--Stores:{storeId}:Url={address.GetLeftPart(UriPartial.Authority)}",
        // The journeys press "Sync now" instead of waiting for a round.
        "--Store:SyncInterval=01:00:00",
        "--Logging:LogLevel:Default=Warning",
    ]);
}
