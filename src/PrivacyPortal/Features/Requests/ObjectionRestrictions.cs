using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Requests;

/// <summary>Where an objected purpose stands for a person: restricted while staff consider it, or stopped because it was upheld.</summary>
public enum ObjectedPurposeState
{
    /// <summary>Art. 18(1)(d): not used for the purpose while the objection is open and this purpose undecided.</summary>
    RestrictedWhileConsidered,

    /// <summary>The objection was upheld: the purpose stops for the person.</summary>
    Stopped,
}

public sealed record ObjectedPurpose(string ControllerId, string PurposeId, ObjectedPurposeState State);

/// <summary>An objection not yet closed and the purposes it names (<see cref="PrivacyRequest.ObjectionPurposes"/>).</summary>
public sealed record OpenObjection(Guid Id, string ObjectionPurposes);

/// <summary>Staff's decision on one purpose of an objection.</summary>
public sealed record DecidedPurpose(Guid RequestId, string ControllerId, string PurposeId, bool Upheld);

/// <summary>
/// What an Art. 21(1) objection does to the person's data before and after staff decide: the store
/// tasks that restrict a purpose while it is considered, stop it when upheld and lift the restriction
/// when refused, and the person's objected purposes as my-data and the staff pages show them.
/// </summary>
public sealed class ObjectionRestrictions(PortalDbContext db, PolicyCatalog policy, RecipientTaskWriter tasks)
{
    public const string RestrictAction = "restrict-for-purpose";
    public const string StopAction = "stop-purpose";
    public const string LiftAction = "lift-purpose-restriction";

    /// <summary>The person's purposes under an open objection and not yet decided, and those stopped by an upheld objection.</summary>
    public async Task<IReadOnlyList<ObjectedPurpose>> ForPersonAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        var open = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId && r.Kind == RequestKind.Objection && r.ObjectionPurposes != null
                && (r.Status == RequestStatus.Received || r.Status == RequestStatus.InProgress || r.Status == RequestStatus.AwaitingPerson))
            .Select(r => new OpenObjection(r.Id, r.ObjectionPurposes!))
            .ToListAsync(cancellationToken);
        var decisions = await db.Set<ObjectionDecision>().AsNoTracking()
            .Where(d => d.SubjectId == subjectId)
            .Select(d => new DecidedPurpose(d.RequestId, d.ControllerId, d.PurposeId, d.Upheld))
            .ToListAsync(cancellationToken);
        return ForPerson(open, decisions);
    }

    /// <summary>
    /// The same as <see cref="ForPersonAsync"/> from rows read already: the person's open objections
    /// (received, in progress or awaiting the person) that name purposes, and every decision on the person's purposes.
    /// </summary>
    public static IReadOnlyList<ObjectedPurpose> ForPerson(IEnumerable<OpenObjection> open, IReadOnlyCollection<DecidedPurpose> decisions)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(decisions);
        var stopped = decisions.Where(d => d.Upheld).Select(d => ObjectionPurposeOptions.Key(d.ControllerId, d.PurposeId)).ToHashSet(StringComparer.Ordinal);
        var pending = open
            .SelectMany(r => PrivacyRequest.Split(r.ObjectionPurposes)
                .Where(k => !decisions.Any(d => d.RequestId == r.Id && ObjectionPurposeOptions.Key(d.ControllerId, d.PurposeId) == k)))
            .Where(k => !stopped.Contains(k))
            .ToHashSet(StringComparer.Ordinal);
        return [.. pending.Select(k => ToPurpose(k, ObjectedPurposeState.RestrictedWhileConsidered))
            .Concat(stopped.Select(k => ToPurpose(k, ObjectedPurposeState.Stopped)))
            .OfType<ObjectedPurpose>()];
    }

    /// <summary>The person's records at the purpose's company in categories used for it.</summary>
    public async Task<IReadOnlyList<HeldRecord>> RecordsForAsync(Guid subjectId, string key, CancellationToken cancellationToken)
    {
        if (key.Split('/', 2) is not [var controllerId, var purposeId] || policy.FindController(controllerId) is not { } controller)
        {
            return [];
        }

        var categories = controller.Categories.Where(c => c.Purposes.Contains(purposeId)).Select(c => c.Id).ToList();
        return await db.HeldRecords
            .Where(r => r.SubjectId == subjectId && r.ControllerId == controllerId && categories.Contains(r.CategoryId))
            .OrderBy(r => r.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>One task per store listing every record held for the purposes with the action (restrict for, or lift the restriction for, each purpose).</summary>
    public async Task AddTasksAsync(PrivacyRequest request, IEnumerable<string> keys, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var perStore = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var purposeId = key.Split('/', 2)[^1];
            foreach (var record in await RecordsForAsync(request.SubjectId, key, cancellationToken))
            {
                tasks.Collect(perStore, record, new { controller = record.ControllerId, category = record.CategoryId, externalId = record.ExternalId, action, purpose = purposeId });
            }
        }

        tasks.Add(request, RecipientTaskKind.Objection, perStore);
    }

    private static ObjectedPurpose? ToPurpose(string key, ObjectedPurposeState state) =>
        key.Split('/', 2) is [var controllerId, var purposeId] ? new ObjectedPurpose(controllerId, purposeId, state) : null;
}
