using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.LegalHolds;

/// <summary>What the privacy officer fills in: the categories (none chosen holds everything), why, whether the person may know why, and an optional last day.</summary>
public sealed record PlaceLegalHoldInput(IReadOnlyList<string?>? Categories, string? Reason, bool Confidential, DateOnly? EndsOn);

public static class LegalHoldAudit
{
    public const string Placed = "staff.placed-legal-hold";
    public const string Lifted = "staff.lifted-legal-hold";
}

/// <summary>
/// Places a legal hold on a person. The caller checks the PrivacyOfficer role; the hold and its
/// audit line are saved together. The reason is required and checked here, not only in the form.
/// </summary>
public sealed class PlaceLegalHoldCommand(PortalDbContext db, PolicyCatalog policy, StaffAudit audit, TimeProvider time)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid subjectId, Guid staffId, PlaceLegalHoldInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!await db.Users.AnyAsync(u => u.Id == subjectId, cancellationToken))
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        if (RequestWorkflow.CheckText(input.Reason, required: true, out var reason) is { } invalid)
        {
            return invalid.ErrorKey == "Error.TextRequired" ? RequestActionOutcome.Fail("Hold.ReasonRequired") : invalid;
        }

        var keys = (input.Categories ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Any(k => k.Split('/', 2) is not [var controller, var category] || policy.FindCategory(controller, category) is null))
        {
            return RequestActionOutcome.Fail("Hold.CategoryUnknown");
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (input.EndsOn is { } end && end < today)
        {
            return RequestActionOutcome.Fail("Hold.EndPassed");
        }

        var hold = new LegalHold
        {
            SubjectId = subjectId,
            Categories = keys.Count == 0 ? null : PrivacyRequest.JoinControllers(keys),
            Reason = reason!,
            Confidential = input.Confidential,
            EndsOn = input.EndsOn,
            PlacedAt = time.GetUtcNow(),
            PlacedBy = staffId,
        };
        db.Add(hold);
        // A confidential reason stays in the hold row: audit lines may one day be shown to the person.
        audit.Add(LegalHoldAudit.Placed, subjectId,
            $"{(keys.Count == 0 ? "all categories" : string.Join(", ", keys))}; until {(input.EndsOn is { } e ? e.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "lifted")}"
            + (input.Confidential ? "; confidential, the reason is kept with the hold only" : $"; reason: {reason}"), staffId);
        await db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}

/// <summary>Lifts a hold (PrivacyOfficer, checked by the caller): held records follow erasure and retention again from now on.</summary>
public sealed class LiftLegalHoldCommand(PortalDbContext db, StaffAudit audit, TimeProvider time)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid subjectId, long holdId, Guid staffId, CancellationToken cancellationToken)
    {
        var hold = await db.Set<LegalHold>().FirstOrDefaultAsync(h => h.Id == holdId && h.SubjectId == subjectId, cancellationToken);
        if (hold is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        if (hold.LiftedAt is not null)
        {
            return RequestActionOutcome.Fail("Hold.AlreadyLifted");
        }

        hold.LiftedAt = time.GetUtcNow();
        hold.LiftedBy = staffId;
        // A confidential reason stays in the hold row: audit lines may one day be shown to the person.
        audit.Add(LegalHoldAudit.Lifted, subjectId, $"hold {hold.Id} placed {hold.PlacedAt:yyyy-MM-dd}" + (hold.Confidential ? " (confidential)" : $": {hold.Reason}"), staffId);
        await db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}

public static class LegalHoldsRegistration
{
    public static WebApplicationBuilder AddLegalHolds(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<PlaceLegalHoldCommand>();
        builder.Services.AddScoped<LiftLegalHoldCommand>();
        return builder;
    }
}
