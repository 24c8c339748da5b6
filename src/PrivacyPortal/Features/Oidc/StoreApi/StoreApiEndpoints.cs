using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// <c>/api/v1</c>: what a store calls with its client-credentials token. The store and its company
/// come from the token, never from the request, so a store cannot ask for another company's data.
/// </summary>
internal static class StoreApiEndpoints
{
    private const int DefaultPage = 100;
    private const int MaxPage = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").DisableAntiforgery();

        api.MapPost("/records", PushRecordsAsync).RequireAuthorization(StoreApiScopes.RecordsWrite);
        api.MapGet("/marketing-permissions", async (HttpContext context, ISuppressionSource source, string? since, int? limit, CancellationToken cancellationToken) =>
        {
            var store = StoreCaller.From(context.User);
            var page = await source.GetMarketingPermissionsAsync(store.ControllerId, since, PageSize(limit), cancellationToken);
            return Results.Ok(page);
        }).RequireAuthorization(StoreApiScopes.MarketingRead);
        api.MapGet("/suppressions", async (HttpContext context, ISuppressionSource source, string? since, int? limit, CancellationToken cancellationToken) =>
        {
            var store = StoreCaller.From(context.User);
            var page = await source.GetSuppressionsAsync(store.ControllerId, since, PageSize(limit), cancellationToken);
            return Results.Ok(page);
        }).RequireAuthorization(StoreApiScopes.MarketingRead);
        api.MapGet("/tasks", async (HttpContext context, IRecipientTaskSource source, string? since, bool? includeAcknowledged, int? limit, CancellationToken cancellationToken) =>
        {
            var store = StoreCaller.From(context.User);
            var page = await source.GetTasksAsync(store.StoreId, store.ControllerId, since, includeAcknowledged ?? false, PageSize(limit), cancellationToken);
            return Results.Ok(page);
        }).RequireAuthorization(StoreApiScopes.Tasks);
        api.MapPost("/tasks/{id:long}/acknowledge", async (HttpContext context, IRecipientTaskSource source, long id, CancellationToken cancellationToken) =>
        {
            var store = StoreCaller.From(context.User);
            string? note = null;
            if (context.Request.HasJsonContentType())
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
                note = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("note", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            }

            return await source.AcknowledgeAsync(store.StoreId, id, note, cancellationToken) switch
            {
                AcknowledgeOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "No such task for this store.", "id"),
                var outcome => Results.Ok(new { id, status = outcome == AcknowledgeOutcome.Acknowledged ? "acknowledged" : "already-acknowledged" }),
            };
        }).RequireAuthorization(StoreApiScopes.Tasks);
        api.MapGet("/people/cookie-consent", ReadCookieConsentAsync).RequireAuthorization(StoreApiScopes.CookieConsentRead);
        MarketingStopsEndpoints.Map(api);
    }

    private static async Task<IResult> PushRecordsAsync(HttpContext context, PushRecordsCommand command, TimeProvider time, CancellationToken cancellationToken)
    {
        var store = StoreCaller.From(context.User);
        if (!context.Request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Send application/json.", "body");
        }

        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken);
            var records = PushRecordsCommand.Parse(body.RootElement, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
            var outcomes = await command.ExecuteAsync(store, records, cancellationToken);
            return Results.Ok(new
            {
                created = outcomes.Count(o => o.Status == "created"),
                updated = outcomes.Count(o => o.Status == "updated"),
                unchanged = outcomes.Count(o => o.Status == "unchanged"),
                records = outcomes.Select(o => new { externalId = o.ExternalId, sub = o.Sub, status = o.Status }),
            });
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON: " + e.Message, "body");
        }
        catch (PushValidationException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e.Message, e.Field);
        }
    }

    /// <summary>
    /// Only for a person the store's company already knows (it holds data on them, or they signed
    /// in at the store); anyone else is a 404, so the API cannot probe who is a customer elsewhere.
    /// </summary>
    /// <summary>Whether the store's company holds (unrestricted) data on the person or the person signed in at the store.</summary>
    internal static async Task<bool> KnowsAsync(PortalDbContext db, StoreCaller store, Guid subjectId, CancellationToken cancellationToken) =>
        // Restricted records are not ordinary use: they do not make a person known to the store.
        await db.HeldRecords.AnyAsync(r => r.SubjectId == subjectId && r.ControllerId == store.ControllerId && r.RestrictedAt == null, cancellationToken)
        || await db.Set<OidcGrant>().AnyAsync(g => g.SubjectId == subjectId && g.ClientId == store.StoreId, cancellationToken);

    private static async Task<IResult> ReadCookieConsentAsync(
        HttpContext context, PortalDbContext db, ICookieConsentSource source, string? email, string? sub, CancellationToken cancellationToken)
    {
        var store = StoreCaller.From(context.User);
        Guid? subjectId = null;
        if (Guid.TryParse(sub, out var parsed))
        {
            subjectId = parsed;
        }
        else if (EmailAddress.TryNormalize(email, out var normalized))
        {
            var lookup = normalized.ToUpperInvariant();
            subjectId = await db.Users.Where(u => u.NormalizedEmail == lookup).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
        }
        else
        {
            return Problem(StatusCodes.Status400BadRequest, "Give the person's sub or email.", sub is null ? "email" : "sub");
        }

        var known = subjectId is { } id && await KnowsAsync(db, store, id, cancellationToken);
        if (!known)
        {
            return Problem(StatusCodes.Status404NotFound, "The store's company holds no data on this person.", sub is null ? "email" : "sub");
        }

        var choice = await source.GetAsync(subjectId!.Value, cancellationToken);
        return Results.Ok(new
        {
            sub = subjectId.Value.ToString(),
            cookieConsent = choice is null ? null : new
            {
                policyRevision = choice.PolicyRevision,
                categories = choice.Categories,
                givenAt = choice.GivenAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            },
        });
    }

    private static int PageSize(int? limit) => Math.Clamp(limit ?? DefaultPage, 1, MaxPage);

    /// <summary>RFC 9457 problem details naming the field at fault.</summary>
    internal static IResult Problem(int status, string detail, string field) =>
        Results.Problem(new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status404NotFound ? "Not found" : "The request is not valid.",
            Detail = detail,
            Extensions = { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
        });
}
