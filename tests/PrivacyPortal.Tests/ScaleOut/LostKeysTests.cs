using System.Net;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// The key ring is gone (a restore without the DataProtectionKeys table, a new database, an
/// operator's mistake): every cookie and form token issued before can no longer be read. People
/// must be signed out cleanly, never shown a 500, and able to sign in again.
/// </summary>
public sealed class LostKeysTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();
    private readonly SmtpTestServer _smtp = new();

    [Fact]
    public async Task After_a_restart_with_lost_keys_old_cookies_count_as_signed_out_old_forms_get_the_400_page_and_sign_in_works()
    {
        CookieContainer jar;
        IReadOnlyList<KeyValuePair<string, string>> staleLogin;
        IReadOnlyList<KeyValuePair<string, string>> staleExport;
        IReadOnlyList<string> kidsBefore;
        using (var before = TwoPortals.Create(_database, _smtp, seed: true).Start())
        {
            using var client = await TwoPortals.SignInOnAsync(before, _smtp, "kari.nordmann@example.no");
            var myData = await client.GetPageAsync("/en/my-data");
            staleExport = HtmlForm.From(client, myData, "form[action='/en/my-data/export']").Fields;
            staleLogin = (await HtmlForm.LoadAsync(client, "/en/login", "main form[method=post]"))
                .Set("Input.Email", "kari.nordmann@example.no").Fields;
            jar = client.Cookies;
            kidsBefore = await KeyIdsAsync(client);
        }

        await using (var db = _database.NewContext())
        {
            Assert.Equal(1, await db.Set<DataProtectionKey>().ExecuteDeleteAsync());
        }

        using var after = TwoPortals.Create(_database, _smtp, seed: false).Start();
        using var returning = CookieAwareClient.ForServer(after.ServerAddress);
        returning.Cookies.Add(jar.GetAllCookies());

        // The session cookie cannot be decrypted: anonymous, sent to sign in, like any visitor.
        var myDataAgain = await returning.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.Redirect, myDataAgain.StatusCode);
        Assert.Equal("/en/login?returnUrl=%2Fen%2Fmy-data", myDataAgain.Headers.Location!.OriginalString);
        var start = await returning.GetAsync("/en/");
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        // A form from before: signed-in pages send to sign in, anonymous ones give the 400 page.
        var export = await returning.PostFormAsync("/en/my-data/export", staleExport);
        Assert.Equal(HttpStatusCode.Redirect, export.StatusCode);
        var login = await returning.PostFormAsync("/en/login", staleLogin);
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(await login.Content.ReadAsStringAsync()),
            RequestMessage = login.RequestMessage,
        });
        Assert.Equal("The request could not be read", page.QuerySelector("main h1")?.TextContent);

        // The same browser signs in again with fresh forms.
        var again = await TwoPortals.SignInOnAsync(after, _smtp, "kari.nordmann@example.no", returning);
        var signedIn = await again.GetPageAsync("/en/my-data");
        Assert.Contains("Kari Nordmann", signedIn.Body!.TextContent, StringComparison.Ordinal);
        await using (var db = _database.NewContext())
        {
            Assert.Equal(1, await db.Set<DataProtectionKey>().CountAsync());
        }

        // The OIDC signing keys were encrypted with the lost ring: new ones replace them, so stores
        // can go on signing people in (their old tokens no longer validate).
        var kidsAfter = await KeyIdsAsync(returning);
        Assert.NotEmpty(kidsAfter);
        Assert.Empty(kidsAfter.Intersect(kidsBefore));
    }

    private static async Task<IReadOnlyList<string>> KeyIdsAsync(CookieAwareClient client)
    {
        using var jwks = await client.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await jwks.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    public void Dispose()
    {
        _smtp.Dispose();
        _database.Dispose();
    }
}
