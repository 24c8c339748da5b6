using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Impersonation;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages;

/// <summary>
/// A fuzz pass over every POST handler of the app, found from its endpoint data sources (Razor
/// Pages handlers and minimal API endpoints), so a page added later is covered without a new test.
/// Each is sent huge, empty, repeated, wrongly encoded and wrong-culture values and other people's
/// ids, by the kind of caller its area is for (a signed-in customer, staff with the second factor,
/// a store with its client credentials), with a valid antiforgery token so the handler really
/// runs. None may answer 500 or show an exception; a page answers in its own language; nothing of
/// another person changes.
/// </summary>
public sealed partial class EveryPostHandlerFuzzTests
{
    private const string Culture = "nb";

    [Fact]
    public async Task A_customer_sending_nonsense_to_every_form_gets_no_error_page_and_changes_nothing_of_another_person()
    {
        using var host = new PortalHost();
        var (mariId, mariRequest) = await AnotherPersonsRequestAsync(host, RequestKind.Access);

        var mariBefore = RowsOf(host, mariId, mariRequest);
        using var kari = await host.SignInAsync(PortalHost.Kari, Culture);
        var endpoints = (await PostEndpoints.AllAsync(host, Culture, _ => mariRequest.ToString()))
            .Where(e => !e.ShortCircuit && !IsStaff(e) && !IsStoreApi(e))
            .OrderBy(EndsTheSession)
            .ToList();
        Assert.Contains(endpoints, e => e.Path.EndsWith("/requests/new", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.Path.EndsWith("/preferences", StringComparison.Ordinal));

        var failures = await FuzzAsync(kari, endpoints, $"/{Culture}/my-data", [mariRequest.ToString(), mariId.ToString()]);

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(mariBefore, RowsOf(host, mariId, mariRequest));
    }

    [Fact]
    public async Task Staff_with_the_second_factor_sending_nonsense_to_every_staff_form_get_no_error_page()
    {
        using var host = new PortalHost();
        var (mariId, mariRequest) = await AnotherPersonsRequestAsync(host, RequestKind.Erasure);

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var endpoints = (await PostEndpoints.AllAsync(host, Culture, _ => mariRequest.ToString()))
            .Where(e => !e.ShortCircuit && IsStaff(e))
            .OrderBy(EndsTheSession)
            .ToList();
        Assert.Contains(endpoints, e => e.Path.StartsWith("/staff/requests/", StringComparison.Ordinal));

        var failures = await FuzzAsync(dpo, endpoints, $"/{Culture}/", [mariRequest.ToString(), mariId.ToString(), Guid.NewGuid().ToString()]);

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task A_store_sending_nonsense_to_every_api_and_protocol_endpoint_gets_no_server_error()
    {
        using var host = new PortalHost();
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        using var store = host.Anonymous();
        using var tokenResponse = await new OidcFlow(host.Factory, store).TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "client_credentials" });
        var token = (await OidcFlow.JsonAsync(tokenResponse)).GetProperty("access_token").GetString()!;
        store.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var endpoints = (await PostEndpoints.AllAsync(host, Culture, _ => mariId.ToString()))
            .Where(e => IsStoreApi(e) || e.ShortCircuit)
            .ToList();
        Assert.Contains(endpoints, e => e.Path.StartsWith("/api/", StringComparison.Ordinal));

        var failures = await FuzzAsync(store, endpoints, null, [mariId.ToString(), Guid.NewGuid().ToString()]);

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>Mari files a request of her own: her ids are the other people's ids of the fuzz.</summary>
    private static async Task<(Guid PersonId, Guid RequestId)> AnotherPersonsRequestAsync(PortalHost host, RequestKind kind)
    {
        using var mari = await host.SignInAsync(PortalHost.Mari, Culture);
        return (await host.UserIdAsync(PortalHost.Mari), await RequestFlows.FileAsync(mari, Culture, kind));
    }

    private static bool IsStaff(PostEndpoint endpoint) => endpoint.Path.StartsWith("/staff", StringComparison.Ordinal);

    private static bool IsStoreApi(PostEndpoint endpoint) => endpoint.Path.StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>Signing out and starting a view as customer change who the client is; they go last.</summary>
    private static bool EndsTheSession(PostEndpoint endpoint) =>
        endpoint.Url.Contains("logout", StringComparison.OrdinalIgnoreCase)
        || endpoint.Url.Contains("ViewAs", StringComparison.Ordinal)
        || endpoint.Url.Contains("/view-as/", StringComparison.Ordinal);

    /// <summary>Sends every case to every endpoint and returns what went wrong, one line each.</summary>
    private static async Task<List<string>> FuzzAsync(CookieAwareClient client, List<PostEndpoint> endpoints, string? tokenPage, string[] foreignIds)
    {
        var failures = new List<string>();
        string? token = null;
        foreach (var endpoint in endpoints)
        {
            if (tokenPage is not null)
            {
                // Fresh for each endpoint: a handler before may have signed the client out (then
                // the start page gives an anonymous token, and the rest run as a visitor).
                using var pageResponse = await client.Http.GetAsync(tokenPage);
                using var page = await CookieAwareClient.ParsePageAsync(pageResponse.StatusCode == HttpStatusCode.OK ? pageResponse : await client.Http.GetAsync($"/{Culture}/"));
                token = page.QuerySelector("meta[name=request-verification-token]")?.GetAttribute("content") ?? token;
            }

            foreach (var (name, content) in Cases(endpoint, token, foreignIds))
            {
                using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Url) { Content = content };
                using var response = await client.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var problem = (int)response.StatusCode >= 500 ? $"answered {(int)response.StatusCode}"
                    : StackTrace().IsMatch(body) ? "shows an exception"
                    : IsHtml(response) && endpoint.Path.StartsWith($"/{Culture}/", StringComparison.Ordinal) && !body.Contains($"<html lang=\"{Culture}\"", StringComparison.Ordinal) ? "answered in another language"
                    : null;
                if (problem is not null)
                {
                    failures.Add($"{endpoint} [{name}]: {problem}: {Excerpt(body)}");
                }
            }
        }

        return failures;
    }

    private static IEnumerable<(string Name, HttpContent Content)> Cases(PostEndpoint endpoint, string? token, string[] foreignIds)
    {
        var fields = endpoint.Fields.Count > 0 ? endpoint.Fields : GenericFields;
        var huge = new string('x', 100_000);
        yield return ("empty", Form(token, []));
        yield return ("empty values", Form(token, fields.Select(f => (f, ""))));
        yield return ("huge", Form(token, fields.Select(f => (f, huge))));
        yield return ("repeated", Form(token, fields.SelectMany(f => new[] { (f, "1"), (f, "2"), (f, "") })));
        yield return ("wrong culture", Form(token, fields.Select((f, i) => (f, WrongCulture[i % WrongCulture.Length]))));
        yield return ("other people's ids", Form(token, fields.Select((f, i) => (f, foreignIds[i % foreignIds.Length]))));
        yield return ("wrongly encoded", WronglyEncoded(token, fields));
        if (!endpoint.IsPage)
        {
            yield return ("json: empty", Json("{}"));
            yield return ("json: not json", Json("{\"a\": [1, "));
            yield return ("json: huge", Json($"{{\"email\": \"{huge}\", \"subjectId\": \"{huge}\"}}"));
            yield return ("json: wrong types", Json("{\"subjectId\": 12, \"email\": [1], \"items\": \"31.12.2026\", \"date\": \"31.12.2026\", \"count\": \"1.234,56\"}"));
            yield return ("json: repeated", Json($"{{\"subjectId\": \"{foreignIds[0]}\", \"subjectId\": \"{foreignIds[^1]}\"}}"));
            yield return ("json: other people's ids", Json($"{{\"subjectId\": \"{foreignIds[0]}\", \"id\": \"{foreignIds[0]}\", \"email\": \"{PortalHost.Mari}\"}}"));
            var invalid = new ByteArrayContent([(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}']);
            invalid.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            yield return ("json: invalid utf-8", invalid);
        }
    }

    /// <summary>Field names tried on endpoints that bind no page model: those of OAuth and the store API.</summary>
    private static readonly string[] GenericFields =
    [
        "grant_type", "client_id", "client_secret", "code", "code_verifier", "redirect_uri", "refresh_token", "token",
        "token_type_hint", "scope", "id", "email", "subjectId", "Input.Email",
    ];

    /// <summary>Numbers, dates, booleans and choices as another culture writes them.</summary>
    private static readonly string[] WrongCulture = ["31.12.2026", "1.234,56", "12/31/2026 11:59 PM", "ja", "Sletting", "−1", "١٢٣", "2026-02-30"];

    private static FormUrlEncodedContent Form(string? token, IEnumerable<(string Name, string Value)> fields)
    {
        var pairs = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (token is not null)
        {
            pairs.Add(new(HtmlForm.AntiforgeryFieldName, token));
        }

        return new FormUrlEncodedContent(pairs);
    }

    /// <summary>Broken percent escapes, overlong and invalid UTF-8, a lone surrogate, NUL and control characters.</summary>
    private static ByteArrayContent WronglyEncoded(string? token, IReadOnlyList<string> fields)
    {
        var body = new StringBuilder();
        if (token is not null)
        {
            body.Append(HtmlForm.AntiforgeryFieldName).Append('=').Append(Uri.EscapeDataString(token));
        }

        string[] values = ["%C3%28%FF%FE", "%ZZ%G1%", "%C0%AF%E0%80%AF", "%ED%A0%80", "%00%01%1B%7F", "a%2", "%E2%80%AE%F0%9F%92%A9"];
        for (var i = 0; i < fields.Count; i++)
        {
            body.Append('&').Append(Uri.EscapeDataString(fields[i])).Append('=').Append(values[i % values.Length]);
        }

        var bytes = Encoding.ASCII.GetBytes(body.ToString()).Concat(new byte[] { (byte)'&', (byte)'x', (byte)'=', 0xFF, 0xC3 }).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        return content;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static bool IsHtml(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "text/html";

    /// <summary>Every row of the database that names Mari or her request.</summary>
    private static List<string> RowsOf(PortalHost host, params Guid[] ids) =>
        [.. ImpersonationFlows.Snapshot(host).Split('\n')
            .Where(line => ids.Any(id => line.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)))];

    private static string Excerpt(string body) => body.Length <= 300 ? body : body[..300];

    [GeneratedRegex(@"(Exception:|Exception\b.*\bat |^\s+at [\w.<>`]+\(|System\.[A-Za-z.]+Exception)", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
