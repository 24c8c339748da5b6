using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Requests;

/// <summary>
/// Filing a request: first the kind, then a form for that kind. Erasure shows its plan before it is
/// filed; a complaint shows the supervisory authorities. The form carries an idempotency key, so a
/// second press of the button finds the first request.
/// </summary>
[Authorize]
public sealed class NewModel(
    PortalDbContext db,
    PolicyCatalog policy,
    ErasurePlanner planner,
    FileRequestCommand file,
    TimeProvider time,
    Features.MyData.FieldLabels labels,
    Features.MyData.RecordTitles titles,
    IStringLocalizer<Localization.Requests> text) : PageModel
{
    public const int MaxFieldOptions = 500;

    [BindProperty(SupportsGet = true, Name = "kind")]
    public RequestKind? Kind { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<RequestKind> Kinds { get; private set; } = [];

    public IReadOnlyList<CompanyOption> Companies { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> Plan { get; private set; } = [];

    /// <summary>The day a request filed now must be answered by: the plan's erasures happen by then.</summary>
    public DateOnly Due { get; private set; }

    public IReadOnlyList<FieldGroup> Fields { get; private set; } = [];

    /// <summary>Objection: per company offered, the processing based on legitimate interests.</summary>
    public IReadOnlyList<(CompanyOption Company, IReadOnlyList<ObjectionPurpose> Purposes)> ObjectionPurposes { get; private set; } = [];

    public sealed class InputModel
    {
        public List<string> Controllers { get; set; } = [];

        public string? Details { get; set; }

        public Guid IdempotencyKey { get; set; }

        /// <summary>Rectification, one per row of the form: <c>{recordId}:{field}</c>, paired by position with <see cref="Value"/>.</summary>
        public List<string?> Field { get; set; } = [];

        public List<string?> Value { get; set; } = [];

        /// <summary>Objection: <c>controller/purpose</c> keys of the processing objected to.</summary>
        public List<string?> Purposes { get; set; } = [];
    }

    public sealed record CompanyOption(string Id, string Name, bool HoldsData);

    public sealed record FieldOption(string Value, string Label);

    public sealed record FieldGroup(string Label, IReadOnlyList<FieldOption> Options);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Kind is not null && Kinds.Contains(Kind.Value))
        {
            Input.IdempotencyKey = Guid.NewGuid();
            // Default: every company that holds data on the person (or all that offer the right).
            Input.Controllers = [.. Companies.Where(c => c.HoldsData).Select(c => c.Id)];
            if (Input.Controllers.Count == 0)
            {
                Input.Controllers = [.. Companies.Select(c => c.Id)];
            }

            Prefill();
            await LoadPlanAsync(cancellationToken);
        }
        else
        {
            Kind = null;
        }
    }

    /// <summary>The correction rows to show: the values asked for so far (empty rows dropped) and one empty row for another.</summary>
    public IReadOnlyList<(string? Field, string? Value)> CorrectionRows
    {
        get
        {
            var rows = Enumerable.Range(0, Math.Max(Input.Field.Count, Input.Value.Count))
                .Select(i => (Field: Input.Field.ElementAtOrDefault(i), Value: Input.Value.ElementAtOrDefault(i)))
                .Where(r => !string.IsNullOrWhiteSpace(r.Field) || !string.IsNullOrWhiteSpace(r.Value))
                .Take(RequestLimits.Corrections)
                .ToList();
            if (rows.Count < RequestLimits.Corrections)
            {
                rows.Add((null, null));
            }

            return rows;
        }
    }

    /// <summary>
    /// A link from my-data chooses what the form is about: <c>field={recordId}:{field}</c> (any
    /// number, for a correction) or <c>purpose={controller}/{purpose}</c> (for an objection). Only
    /// values the form offers the person are taken; anything else in the address is ignored.
    /// </summary>
    private void Prefill()
    {
        if (Kind == RequestKind.Rectification)
        {
            var offered = Fields.SelectMany(g => g.Options).Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
            Input.Field = [.. Request.Query["field"].Where(f => f is not null && offered.Contains(f)).Distinct(StringComparer.Ordinal).Take(RequestLimits.Corrections)];
            Input.Value = [.. Input.Field.Select(_ => (string?)null)];
        }

        if (Kind == RequestKind.Objection)
        {
            var offered = ObjectionPurposes.SelectMany(g => g.Purposes).ToList();
            var chosen = offered.Where(p => Request.Query["purpose"].Contains(p.Key)).ToList();
            if (chosen.Count > 0)
            {
                Input.Purposes = [.. chosen.Select(p => (string?)p.Key)];
                Input.Controllers = [.. Companies.Select(c => c.Id).Where(id => chosen.Any(p => p.ControllerId == id))];
            }
        }
    }

    /// <summary>"Add another value" for a correction, without filing.</summary>
    public async Task<IActionResult> OnPostAddRowAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>"Update the plan" for the companies now ticked, without filing.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        await LoadPlanAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        if (Kind is null)
        {
            return RedirectToPage();
        }

        var corrections = Enumerable.Range(0, Math.Max(Input.Field.Count, Input.Value.Count))
            .Select(i => new CorrectionInput(Input.Field.ElementAtOrDefault(i), Input.Value.ElementAtOrDefault(i)))
            .ToList();
        var result = await file.ExecuteAsync(
            User.RequiredSubjectId(),
            new FileRequestInput(Kind.Value, Input.Controllers, Input.Details, Input.IdempotencyKey, ObjectionPurposes: Input.Purposes, Corrections: corrections),
            cancellationToken);
        if (result.Succeeded)
        {
            TempData["Requests.Status"] = text[Kind == RequestKind.Complaint ? "New.Filed.Complaint" : "New.Filed"].Value;
            return Redirect(CultureLink.To($"requests/{result.RequestId}"));
        }

        foreach (var error in result.Errors)
        {
            var key = error.Field.Length == 0 ? "" : "Input." + error.Field;
            ModelState.AddModelError(key, error.Arguments is null ? text[error.MessageKey] : text[error.MessageKey, error.Arguments]);
        }

        if (Input.IdempotencyKey == Guid.Empty)
        {
            Input.IdempotencyKey = Guid.NewGuid();
        }

        await LoadAsync(cancellationToken);
        await LoadPlanAsync(cancellationToken);
        return Page();
    }

    public bool HasError(string field) => ModelState.TryGetValue("Input." + field, out var entry) && entry.Errors.Count > 0;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var me = User.RequiredSubjectId();
        Kinds = [.. Enum.GetValues<RequestKind>().Where(k => policy.Controllers.Any(c => c.Rights.Offered.Contains(FileRequestCommand.ToRight(k))))];
        var holding = await db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == me)
            .Select(r => r.ControllerId)
            .Distinct()
            .ToListAsync(cancellationToken);
        var right = Kind is { } k ? FileRequestCommand.ToRight(k) : DataSubjectRight.Access;
        Companies = [.. policy.Controllers
            .Where(c => c.Rights.Offered.Contains(right))
            .Select(c => new CompanyOption(c.Id, c.LegalName, holding.Contains(c.Id)))];

        if (Kind == RequestKind.Objection)
        {
            ObjectionPurposes = [.. Companies
                .Select(c => (c, ObjectionPurposeOptions.For(policy, c.Id)))
                .Where(g => g.Item2.Count > 0)];
        }

        if (Kind == RequestKind.Rectification)
        {
            var records = await db.HeldRecords.AsNoTracking()
                .Where(r => r.SubjectId == me)
                .OrderBy(r => r.ControllerId).ThenBy(r => r.CategoryId).ThenByDescending(r => r.RetentionFrom)
                .Select(r => new { r.Id, r.ControllerId, r.CategoryId, r.Summary, r.Content })
                .Take(MaxFieldOptions)
                .ToListAsync(cancellationToken);
            // The records a link or the form names are offered even beyond the first few hundred.
            var named = Request.Query["field"].Concat(Input.Field)
                .Select(f => f?.Split(':', 2) is [var id, _] && long.TryParse(id, CultureInfo.InvariantCulture, out var recordId) ? recordId : (long?)null)
                .OfType<long>()
                .Where(id => records.All(r => r.Id != id))
                .Distinct()
                .Take(RequestLimits.Corrections)
                .ToList();
            if (named.Count > 0)
            {
                records.AddRange(await db.HeldRecords.AsNoTracking()
                    .Where(r => r.SubjectId == me && named.Contains(r.Id))
                    .Select(r => new { r.Id, r.ControllerId, r.CategoryId, r.Summary, r.Content })
                    .ToListAsync(cancellationToken));
            }

            var culture = CultureInfo.CurrentUICulture;
            Fields = [.. records.Select(r => (Record: r, Values: RectifiableFields.Of(r.Content)))
                .Select(r => new FieldGroup(
                    $"{policy.FindController(r.Record.ControllerId)?.LegalName ?? r.Record.ControllerId} · {policy.FindCategory(r.Record.ControllerId, r.Record.CategoryId)?.Name.Get(culture) ?? r.Record.CategoryId} · {titles.For(r.Record.CategoryId, r.Values, r.Record.Summary)}",
                    [.. r.Values.Select(f => new FieldOption($"{r.Record.Id}:{f.Field}", $"{labels.For(f.Field)}: {f.Value}"))]))
                .Where(g => g.Options.Count > 0)];
        }
    }

    private async Task LoadPlanAsync(CancellationToken cancellationToken)
    {
        if (Kind != RequestKind.Erasure)
        {
            return;
        }

        var known = Input.Controllers.Where(id => !string.IsNullOrWhiteSpace(id) && policy.FindController(id) is not null).ToList();
        var today = Deadlines.Day(time.GetUtcNow());
        Due = Deadlines.DueDate(today);
        Plan = await planner.PlanForAsync(User.RequiredSubjectId(), known, today, cancellationToken);
    }
}
