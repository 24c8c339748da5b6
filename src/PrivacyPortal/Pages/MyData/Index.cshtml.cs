using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.MyData;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.MyData;

/// <summary>
/// Art. 15: everything held on the signed-in person, per controller and category, with purpose,
/// legal basis, retention end, recipients, transfers and source; once per page the person's rights,
/// automated decisions, the supervisory authorities and the policy revision in force (and the one
/// coming). Those come from the policy alone, resolved once per culture. Each category shows its newest records
/// and pages through the rest, so a person with many records gets a page that loads fast.
/// </summary>
[Authorize]
public sealed class IndexModel(PortalDbContext db, PolicyCatalog policy, AccessInformation accessInformation, CustomerRelationships relationships, ObjectionRestrictions objections, IOptions<ImpersonationOptions> impersonation, TimeProvider time) : PageModel
{
    public const int RecordsPerCategory = 10;
    public const int PageSize = 50;

    // Compiled once: the page runs a query per category, and translating LINQ each time cost more
    // than running the SQL (measured with dotnet-trace, see docs/benchmarks.md).
    // Per model, so one process can serve SQLite and PostgreSQL apps (the test run does).
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, Task<PersonView?>>> PersonQuery = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid subjectId) => db.Users.AsNoTracking()
            .Where(u => u.Id == subjectId)
            .Select(u => new PersonView(u.DisplayName, u.Email ?? "", u.Kind, u.CompanyName, u.CompanyRegistrationCode, u.JobTitle))
            .FirstOrDefault()));

    public PersonView Person { get; private set; } = null!;

    public IReadOnlyList<ControllerSection> Controllers { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public AccessInformationTexts Access { get; private set; } = null!;

    public PolicyRevisions Revisions { get; private set; } = null!;

    public IReadOnlyList<string> ControllerIds => [.. policy.Controllers.Select(c => c.Id)];

    /// <summary>Per controller: whether the customer relationship that some retention rules count from still lasts.</summary>
    public IReadOnlyDictionary<string, RelationshipState> Relationships { get; private set; } = new Dictionary<string, RelationshipState>();

    /// <summary>The person's purposes restricted while an objection is considered, or stopped by an upheld one.</summary>
    public IReadOnlyList<ObjectedPurpose> Objected { get; private set; } = [];

    /// <summary>The "Access by customer service" list when the page has read it with its other queries (PostgreSQL); null lets the list read it.</summary>
    public IReadOnlyList<StaffAccessRow>? StaffAccess { get; private set; }

    /// <summary>When one category is opened for paging: its key (<c>controller/category</c>) and page; it is shown open.</summary>
    [BindProperty(SupportsGet = true, Name = "category")]
    public string? OpenCategory { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        // One connection for the page's queries and the staff-access list rendered with it,
        // instead of one taken from the pool for each. It is closed when the request's DbContext
        // is disposed (returned to the pool) at the end of the request. On PostgreSQL the queries
        // go in one round trip (MyDataBatchQuery); SQLite runs them one by one, in process.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var subjectId = User.RequiredSubjectId();
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Access = accessInformation.For(System.Globalization.CultureInfo.CurrentUICulture);
        Revisions = policy.RevisionsOn(Today);
        PageNumber = Math.Clamp(PageNumber, 1, 1_000_000);
        IReadOnlyList<CategoryRecords> groups;
        if (db.Database.GetDbConnection() is NpgsqlConnection connection)
        {
            var reads = await MyDataBatchQuery.LoadAsync(connection, subjectId, OpenCategory, PageNumber, RecordsPerCategory, PageSize, StaffAccessViewComponent.Shown, cancellationToken);
            if (reads.Person is null)
            {
                return NotFound();
            }

            Person = reads.Person;
            Relationships = relationships.OfPerson(subjectId, reads.Latest, reads.LastSignInAt, Today);
            Objected = ObjectionRestrictions.ForPerson(reads.OpenObjections, reads.Decisions);
            StaffAccess = StaffAccessQuery.ToRows(reads.StaffAccess, time.GetUtcNow(), impersonation.Value.ShowStaffAs);
            groups = reads.Categories;
        }
        else
        {
            var person = await PersonQuery.For(db)(db, subjectId);
            if (person is null)
            {
                return NotFound();
            }

            Person = person;
            Relationships = await relationships.OfPersonAsync(subjectId, Today, cancellationToken);
            Objected = await objections.ForPersonAsync(subjectId, cancellationToken);
            groups = await NewestRecordsQuery.LoadAsync(db, subjectId, OpenCategory, PageNumber, RecordsPerCategory, PageSize, cancellationToken);
        }

        var sections = new List<ControllerSection>();
        foreach (var byController in groups.GroupBy(g => g.ControllerId).OrderBy(g => ControllerOrder(g.Key)))
        {
            var categories = new List<CategorySection>();
            foreach (var group in byController.OrderBy(g => CategoryOrder(g.ControllerId, g.CategoryId)))
            {
                var isOpen = string.Equals(OpenCategory, group.Key, StringComparison.Ordinal);
                var category = policy.FindCategory(group.ControllerId, group.CategoryId);
                categories.Add(new CategorySection(
                    group.Key,
                    group.ControllerId,
                    group.CategoryId,
                    category,
                    group.Count,
                    group.Records,
                    isOpen ? PageNumber : 1,
                    isOpen ? PageSize : RecordsPerCategory)
                {
                    // The same computation as each record's "deleted on", for the record that goes first.
                    FirstDeletion = category is not null && group.Oldest is { } from ? relationships.RetentionOf(group.ControllerId, group.CategoryId, from, Relationships.GetValueOrDefault(group.ControllerId)) : null,
                });
            }

            sections.Add(new ControllerSection(byController.Key, policy.FindController(byController.Key), categories));
        }

        Controllers = sections;
        return Page();
    }

    /// <summary>Null for a category the policy does not know; no date while the relationship it counts from lasts.</summary>
    public RecordRetention? RetentionEndOf(CategorySection section, RecordView record)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(record);
        return section.Category is null
            ? null
            : relationships.RetentionOf(section.ControllerId, section.CategoryId, record.RetentionFrom, Relationships.GetValueOrDefault(section.ControllerId));
    }

    // Per category and language: the policy alone decides them, and the page shows them for every category on every visit.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DataCategory, System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<BasisView>>> Bases = [];

    /// <summary>
    /// Why the category is held, one line per legal basis (in the policy's order of bases) with the
    /// purposes resting on it, and what the person can do about it: object to the purposes resting
    /// on legitimate interests (Art. 21(1)) on the objection form; direct marketing and consents are
    /// switched off on the preferences page (Art. 21(3), Art. 7(3)).
    /// </summary>
    public IReadOnlyList<BasisView> BasesOf(string controllerId, DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        return Bases.GetOrCreateValue(category).GetOrAdd(culture.Name + "/" + controllerId, _ => ResolveBases(controllerId, category, culture));
    }

    private List<BasisView> ResolveBases(string controllerId, DataCategory category, System.Globalization.CultureInfo culture)
    {
        var purposes = policy.PurposesOf(category);
        var objectable = ObjectionPurposeOptions.For(policy, controllerId).Select(o => o.Purpose.Id).ToHashSet(StringComparer.Ordinal);
        var views = new List<BasisView>();
        foreach (var basis in policy.Document.LegalBases)
        {
            var resting = purposes.Where(p => p.LegalBases.Contains(basis.Id)).ToList();
            if (resting.Count == 0)
            {
                continue;
            }

            var toObject = basis.Kind == LegalBasisKind.LegitimateInterests
                ? resting.Where(p => objectable.Contains(p.Id)).Select(p => ObjectionPurposeOptions.Key(controllerId, p.Id)).ToList()
                : [];
            views.Add(new BasisView(
                basis.Kind,
                basis.Name.Get(culture),
                // Semicolons: the purposes' own names hold commas.
                string.Join("; ", resting.Select(p => p.Name.Get(culture))),
                toObject.Count == 0 ? null : $"/{culture.Name}/requests/new?kind=Objection{string.Concat(toObject.Select(k => "&purpose=" + Uri.EscapeDataString(k)))}",
                // Purposes left over under legitimate interests are direct marketing: stopped on the preferences page.
                basis.Kind == LegalBasisKind.Consent || (basis.Kind == LegalBasisKind.LegitimateInterests && toObject.Count < resting.Count)));
        }

        return views;
    }

    /// <summary>The correction form's address up to the field, e.g. <c>/nb/requests/new?kind=Rectification&amp;field=</c>; the record's id and <c>:field</c> follow.</summary>
    public static string CorrectionLinkPrefix => CultureLink.To("requests/new?kind=Rectification&field=");

    /// <summary>The category's purposes under the person's objections: "restricted for … while we consider your objection" or stopped.</summary>
    public IReadOnlyList<(string Purpose, ObjectedPurposeState State)> ObjectedIn(CategorySection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        return section.Category is not { } category
            ? []
            : [.. Objected
                .Where(o => o.ControllerId == section.ControllerId && category.Purposes.Contains(o.PurposeId))
                .Select(o => (policy.GetPurpose(o.PurposeId).Name.Get(culture), o.State))];
    }

    public RetentionRule RetentionOf(DataCategory category) => policy.RetentionRuleOf(category);

    public IReadOnlyList<Recipient> RecipientsOf(DataCategory category) => policy.RecipientsOf(category);

    public IReadOnlyList<DataTransfer> TransfersOf(DataCategory category) => policy.TransfersOf(category);

    /// <summary>
    /// The record's content as label/value pairs; content that is not a JSON object is shown as it
    /// is. A field is correctable when the correction form offers it (<see cref="RectifiableFields"/>: a plain value).
    /// </summary>
    public static IReadOnlyList<(string Field, string Value, bool Correctable)> FieldsOf(string content)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(content);
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return [("", content, false)];
            }

            // A loop, not LINQ: the page runs this for every record it shows.
            var fields = new List<(string Field, string Value, bool Correctable)>();
            foreach (var property in json.RootElement.EnumerateObject())
            {
                var value = property.Value;
                var kind = value.ValueKind;
                fields.Add((
                    property.Name,
                    kind == System.Text.Json.JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText(),
                    kind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False));
            }

            return fields;
        }
        catch (System.Text.Json.JsonException)
        {
            return [("", content, false)];
        }
    }

    /// <summary>The values of <see cref="FieldsOf"/> that are text, numbers or booleans, for the record's title.</summary>
    public static IEnumerable<(string Field, string Value)> ScalarFields(IReadOnlyList<(string Field, string Value, bool Correctable)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var (field, value, scalar) in fields)
        {
            if (scalar)
            {
                yield return (field, value);
            }
        }
    }

    /// <param name="Purposes">The purposes resting on the basis, in the person's language.</param>
    /// <param name="ObjectLink">The objection form with the purposes it offers chosen (legitimate interests only), or null.</param>
    /// <param name="ChangeInPreferences">Consent, or direct marketing: switched off on the preferences page.</param>
    public sealed record BasisView(LegalBasisKind Kind, string Name, string Purposes, string? ObjectLink, bool ChangeInPreferences);

    private int ControllerOrder(string id)
    {
        var index = policy.Controllers.ToList().FindIndex(c => c.Id == id);
        return index < 0 ? int.MaxValue : index;
    }

    private int CategoryOrder(string controllerId, string categoryId)
    {
        var controller = policy.FindController(controllerId);
        var index = controller?.Categories.ToList().FindIndex(c => c.Id == categoryId) ?? -1;
        return index < 0 ? int.MaxValue : index;
    }

    public sealed record CategoryCount(string ControllerId, string CategoryId, int Count);

    public sealed record PersonView(string Name, string Email, AccountKind Kind, string? CompanyName, string? RegistrationCode, string? JobTitle);

    public sealed record RecordView(long Id, string Summary, string Content, DateOnly RetentionFrom, bool Restricted);

    public sealed record ControllerSection(string Id, DataController? Controller, IReadOnlyList<CategorySection> Categories)
    {
        public int Records => Categories.Sum(c => c.Count);

        /// <summary>The category whose first record goes first, or null when no record has a date yet.</summary>
        public CategorySection? DeletedFirst => Categories
            .Where(c => c.FirstDeletion?.Until is not null)
            .OrderBy(c => c.FirstDeletion!.Until)
            .FirstOrDefault();
    }

    public sealed record CategorySection(
        string Key,
        string ControllerId,
        string CategoryId,
        DataCategory? Category,
        int Count,
        IReadOnlyList<RecordView> Records,
        int Page,
        int PageSize)
    {
        public int Pages => (Count + PageSize - 1) / PageSize;

        /// <summary>When the category's first record is deleted: its oldest record's retention end; null for a category the policy does not know.</summary>
        public RecordRetention? FirstDeletion { get; init; }

        /// <summary>The HTML id of the category's section, the target of the overview's links.</summary>
        public string Anchor => $"{ControllerId}-{CategoryId}";
    }
}
