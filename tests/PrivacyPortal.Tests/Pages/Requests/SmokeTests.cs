using System.Net;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Pages_render()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        foreach (var url in new[] { "/nb/requests", "/nb/requests/new", "/nb/requests/new?kind=Erasure", "/nb/requests/new?kind=Rectification", "/nb/requests/new?kind=Complaint" })
        {
            using var r = await kari.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.OK, url + " " + await r.Content.ReadAsStringAsync());
        }

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        foreach (var url in new[] { "/staff", "/staff/retention" })
        {
            using var r = await dpo.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.OK, url + " " + await r.Content.ReadAsStringAsync());
        }
    }
}
