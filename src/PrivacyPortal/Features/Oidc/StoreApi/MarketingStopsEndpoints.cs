using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// A store passes on a stop it received ("unsubscribed at checkout"): through the one preference
/// writer, as the store, for the store's own company only. The stop is a history row like any
/// other, so every store of the company collects it from the suppression feed.
/// </summary>
internal static class MarketingStopsEndpoints
{
    private const int MaxNote = 500;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/people/{sub}/marketing-stops", BySubAsync).RequireAuthorization(StoreApiScopes.MarketingWrite);
        api.MapPost("/marketing-stops", ByEmailAsync).RequireAuthorization(StoreApiScopes.MarketingWrite);
    }

    /// <summary>
    /// By sub, for a person the store's company knows (as for the cookie-consent read); anyone else
    /// is a 404, so a sub from another company's store tells nothing.
    /// </summary>
    private static async Task<IResult> BySubAsync(
        HttpContext context, string sub, PortalDbContext db, PolicyCatalog policy, ChangeMarketingPreferenceCommand change, TimeProvider time, CancellationToken cancellationToken)
    {
        var store = StoreCaller.From(context.User);
        var body = await ReadAsync(context, policy, store, requireEmail: false, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }

        if (!Guid.TryParse(sub, out var subjectId) || !await StoreApiEndpoints.KnowsAsync(db, store, subjectId, cancellationToken))
        {
            return StoreApiEndpoints.Problem(StatusCodes.Status404NotFound, "The store's company holds no data on this person.", "sub");
        }

        var result = await change.ExecuteAsync(subjectId, body.Changes, PreferenceActor.Store(store.StoreId), cancellationToken);
        Audit(db, time, store, subjectId, body, result.Outcome);
        await db.SaveChangesAsync(cancellationToken);
        return Results.Ok(new
        {
            sub = subjectId.ToString(),
            status = result.Outcome == PreferenceChangeOutcome.Changed ? "recorded" : "unchanged",
            recorded = result.Written.Select(r => new { kind = KindName(r.Kind), target = r.Target, id = r.Id }),
        });
    }

    /// <summary>
    /// By email address, the same answer (202) whether the address is known or not: the API cannot
    /// be used to learn who has an account. For a known address the stop is recorded at once; for an
    /// unknown one nothing is stored (the portal holds nothing on it, so no store of the company can
    /// be mailing it through the portal's feed, and keeping the address would collect data nobody gave
    /// us); the store keeps its own unsubscribe. The audit line says which, for the privacy officer.
    /// </summary>
    private static async Task<IResult> ByEmailAsync(
        HttpContext context, PortalDbContext db, PolicyCatalog policy, ChangeMarketingPreferenceCommand change, TimeProvider time, CancellationToken cancellationToken)
    {
        var store = StoreCaller.From(context.User);
        var body = await ReadAsync(context, policy, store, requireEmail: true, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var lookup = body.Email!.ToUpperInvariant();
        var subjectId = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == lookup && u.Kind != AccountKind.Staff)
            .Select(u => (Guid?)u.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (subjectId is { } id)
        {
            var result = await change.ExecuteAsync(id, body.Changes, PreferenceActor.Store(store.StoreId), cancellationToken);
            Audit(db, time, store, id, body, result.Outcome);
        }
        else
        {
            db.AuditEvents.Add(new AuditEvent
            {
                OccurredAt = time.GetUtcNow(),
                Action = "store.marketing-stop-unknown-address",
                Detail = $"store {store.StoreId}: a stop for an address with no account; nothing stored",
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        return Results.Accepted(value: new { status = "accepted" });
    }

    private static void Audit(PortalDbContext db, TimeProvider time, StoreCaller store, Guid subjectId, StopBody body, PreferenceChangeOutcome outcome) =>
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            SubjectId = subjectId,
            Action = "store.marketing-stop",
            Detail = $"store {store.StoreId}: {string.Join(", ", body.Changes.Select(c => $"{c.Key.ControllerId}/{KindName(c.Key.Kind)}/{c.Key.Target}"))}: {outcome}"
                + (body.Note is null ? "" : ": " + body.Note),
        });

    private sealed record StopBody(IReadOnlyList<PreferenceChange> Changes, string? Email, string? Note, IResult? Error);

    /// <summary>
    /// <c>{"email"?: "…", "stops": [{"kind": "newsletter"} | {"kind": "directMarketing", "channel": "email"} | {"kind": "consent", "consent": "…"} | {"kind": "all"}], "note"?: "…"}</c>,
    /// always for the company of the calling store.
    /// </summary>
    private static async Task<StopBody> ReadAsync(HttpContext context, PolicyCatalog policy, StoreCaller store, bool requireEmail, CancellationToken cancellationToken)
    {
        StopBody Fail(int status, string detail, string field) => new([], null, null, StoreApiEndpoints.Problem(status, detail, field));
        if (!context.Request.HasJsonContentType())
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Send application/json.", "body");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = 8 }, cancellationToken);
        }
        catch (JsonException e)
        {
            return Fail(StatusCodes.Status400BadRequest, "The body is not valid JSON: " + e.Message, "body");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail(StatusCodes.Status400BadRequest, "Send a JSON object.", "body");
            }

            string? email = null;
            if (requireEmail && !EmailAddress.TryNormalize(Text(root, "email"), out email))
            {
                return Fail(StatusCodes.Status400BadRequest, "Give the person's email address.", "email");
            }

            var note = Text(root, "note")?.Trim();
            if (note is { Length: > MaxNote })
            {
                return Fail(StatusCodes.Status400BadRequest, $"The note is at most {MaxNote} characters.", "note");
            }

            if (!root.TryGetProperty("stops", out var stops) || stops.ValueKind != JsonValueKind.Array || stops.GetArrayLength() == 0)
            {
                return Fail(StatusCodes.Status400BadRequest, "List at least one stop.", "stops");
            }

            var keys = new List<PreferenceKey>();
            var index = 0;
            foreach (var stop in stops.EnumerateArray())
            {
                var path = $"stops[{index++}]";
                var kind = stop.ValueKind == JsonValueKind.Object ? Text(stop, "kind") : null;
                PreferenceKey[] found = kind switch
                {
                    "all" => [.. PreferenceKey.AllOf(policy, store.ControllerId)],
                    "newsletter" => [PreferenceKey.Newsletter(store.ControllerId)],
                    "directMarketing" => [new PreferenceKey(store.ControllerId, PreferenceKind.DirectMarketing, Text(stop, "channel") ?? "")],
                    "consent" => [PreferenceKey.Consent(store.ControllerId, Text(stop, "consent") ?? "")],
                    _ => [],
                };
                if (found.Length == 0 || found.Any(k => !k.ExistsIn(policy)))
                {
                    return Fail(StatusCodes.Status400BadRequest,
                        "Unknown stop: give kind 'newsletter', 'directMarketing' with a 'channel', 'consent' with a 'consent' id, or 'all', as the store's company offers them.", path);
                }

                keys.AddRange(found);
            }

            return new StopBody([.. keys.Distinct().Select(k => new PreferenceChange(k, Enable: false))], email, string.IsNullOrEmpty(note) ? null : note, null);
        }
    }

    private static string KindName(PreferenceKind kind) => kind switch
    {
        PreferenceKind.Newsletter => "newsletter",
        PreferenceKind.DirectMarketing => "directMarketing",
        _ => "consent",
    };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
