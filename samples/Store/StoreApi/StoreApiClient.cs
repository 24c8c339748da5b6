using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace SampleStore.StoreApi;

/// <summary>
/// The portal's store API (<c>/api/v1</c>, docs/oidc.md) with a client-credentials token. The token
/// endpoint comes from the same discovery document the sign-in handler reads; a token is reused
/// until shortly before it expires.
/// </summary>
public sealed class StoreApiClient(
    IHttpClientFactory httpClients,
    IOptions<StoreOptions> options,
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    TimeProvider time) : IDisposable
{
    /// <summary>The API scopes this sample uses; the portal gives a store only those registered for it.</summary>
    public const string Scopes = "store.records.write store.marketing.read store.tasks";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim tokenGate = new(1, 1);
    private string? token;
    private DateTimeOffset tokenExpires;

    private HttpClient Http => httpClients.CreateClient(nameof(StoreApiClient));

    public void Dispose() => tokenGate.Dispose();

    /// <summary>POST /api/v1/records: the order, idempotent by its externalId.</summary>
    public async Task PushOrderAsync(SampleOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var body = new
        {
            records = new[]
            {
                new
                {
                    externalId = order.ExternalId,
                    sub = order.Sub,
                    category = "orders",
                    summary = $"Order {order.ExternalId}: {order.Product}",
                    content = new { product = order.Product, total = order.Total.ToString("0.00", CultureInfo.InvariantCulture), currency = order.Currency },
                    // "orders" count from the sale (docs/oidc.md, "The date each record needs").
                    transactionDate = order.PlacedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                },
            },
        };
        using var response = await SendAsync(HttpMethod.Post, "records", JsonContent.Create(body, options: Json), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>GET /api/v1/suppressions after <paramref name="since"/>.</summary>
    public Task<FeedPage<SuppressionItem>> GetSuppressionsAsync(string? since, CancellationToken cancellationToken) =>
        GetPageAsync<SuppressionItem>("suppressions" + Since(since), cancellationToken);

    /// <summary>GET /api/v1/tasks: the tasks not yet acknowledged (they come back until they are).</summary>
    public Task<FeedPage<TaskItem>> GetOpenTasksAsync(string? since, CancellationToken cancellationToken) =>
        GetPageAsync<TaskItem>("tasks" + Since(since), cancellationToken);

    /// <summary>POST /api/v1/tasks/{id}/acknowledge with a note of what was done (it goes to the portal's audit log).</summary>
    public async Task AcknowledgeAsync(long id, string note, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"tasks/{id.ToString(CultureInfo.InvariantCulture)}/acknowledge", JsonContent.Create(new { note }, options: Json), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private async Task<FeedPage<T>> GetPageAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<FeedPage<T>>(Json, cancellationToken)
            ?? throw new InvalidOperationException($"The portal answered {path} with an empty body.");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, options.Value.PortalPath("api/v1/" + path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(cancellationToken));
        return await Http.SendAsync(request, cancellationToken);
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await tokenGate.WaitAsync(cancellationToken);
        try
        {
            if (token is not null && time.GetUtcNow() < tokenExpires)
            {
                return token;
            }

            var settings = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
            var configuration = await settings.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", Scopes)]),
            };
            request.Headers.Authorization = ClientAuthentication(settings.ClientId!, settings.ClientSecret!);
            using var response = await Http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
            token = answer.GetProperty("access_token").GetString();
            // A minute early, so a token never expires on its way to the portal.
            tokenExpires = time.GetUtcNow().AddSeconds(answer.GetProperty("expires_in").GetInt32() - 60);
            return token!;
        }
        finally
        {
            tokenGate.Release();
        }
    }

    /// <summary>client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded before Base64).</summary>
    public static AuthenticationHeaderValue ClientAuthentication(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));

    private static string Since(string? since) => since is null ? "" : "?since=" + Uri.EscapeDataString(since);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
    }
}

/// <summary>A page of a feed: pass <see cref="NextCursor"/> back as <c>since</c>.</summary>
public sealed record FeedPage<T>(IReadOnlyList<T> Items, string? NextCursor, bool HasMore);

public sealed record SuppressionItem(string Sub, string Email, string Kind, string? Channel, string? Purpose, DateTimeOffset ChangedAt);

public sealed record TaskItem(long Id, string Kind, string Sub, string Email, IReadOnlyList<TaskRecord> Records, DateTimeOffset CreatedAt);

/// <param name="Action"><c>erase</c>, <c>anonymise</c>, <c>restrict</c>, <c>rectify</c>, <c>restrict-for-purpose</c>, <c>stop-purpose</c> or <c>lift-purpose-restriction</c>.</param>
public sealed record TaskRecord(
    string? Controller,
    string? Category,
    string? ExternalId,
    string Action,
    string? KeepUntil,
    IReadOnlyList<string>? KeepFields,
    string? Field,
    string? Value,
    string? Purpose);
