using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.MyData;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Reports;

/// <summary>A category of personal data as the record of processing lists it, with everything the policy says about it.</summary>
public sealed record ProcessingCategory(
    DataCategory Category,
    IReadOnlyList<(Purpose Purpose, IReadOnlyList<LegalBasis> Bases)> Purposes,
    RetentionRule Retention,
    IReadOnlyList<Recipient> Recipients,
    IReadOnlyList<DataTransfer> Transfers);

/// <summary>
/// The record of processing activities of one controller (GDPR Art. 30(1)): who the controller is
/// and how to reach it, the purposes, the categories of people and of personal data, the recipients,
/// the transfers with their safeguards, how long each category is kept, and the security measures.
/// </summary>
public sealed record ProcessingRecord(
    DataController Controller,
    SupervisoryAuthority Authority,
    IReadOnlyList<(Purpose Purpose, IReadOnlyList<LegalBasis> Bases)> Purposes,
    IReadOnlyList<SubjectKind> People,
    IReadOnlyList<ProcessingCategory> Categories,
    IReadOnlyList<Recipient> Recipients,
    IReadOnlyList<DataTransfer> Transfers);

/// <summary>Builds the record of processing from the policy, so it says what the portal does and never drifts from it.</summary>
public sealed class RecordOfProcessing(PolicyCatalog policy, IStringLocalizer<Localization.Reports> text)
{
    private static readonly string[] CsvColumns =
    [
        "Controller", "RegistrationCode", "Contact", "PrivacyContact", "SupervisoryAuthority", "Category", "Description",
        "People", "Purposes", "Retention", "Recipients", "Transfers", "SecurityMeasures",
    ];

    public string Revision => policy.Revision;

    public DateOnly EffectiveDate => policy.EffectiveDate;

    public IReadOnlyList<ProcessingRecord> Build() => [.. policy.Controllers.Select(Build)];

    public ProcessingRecord Build(DataController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var categories = controller.Categories.Select(c => new ProcessingCategory(
            c,
            [.. policy.PurposesOf(c).Select(WithBases)],
            policy.RetentionRuleOf(c),
            policy.RecipientsOf(c),
            policy.TransfersOf(c))).ToList();

        // Marketing purposes belong to the record even where no category names them (a newsletter, a consent).
        var marketingPurposes = new[] { controller.Marketing.Newsletter?.Purpose, controller.Marketing.DirectMarketing?.Purpose }
            .Concat(controller.Marketing.Consents.Select(c => c.Purpose))
            .OfType<string>();
        var purposes = categories.SelectMany(c => c.Purposes.Select(p => p.Purpose.Id)).Concat(marketingPurposes)
            .Distinct(StringComparer.Ordinal)
            .Select(policy.GetPurpose)
            .OrderBy(p => IndexOf(policy.Document.Purposes, p))
            .Select(WithBases)
            .ToList();

        return new ProcessingRecord(
            controller,
            policy.SupervisoryAuthorityOf(controller),
            purposes,
            [.. controller.Categories.SelectMany(c => c.Subjects).Distinct().Order()],
            categories,
            [.. categories.SelectMany(c => c.Recipients).DistinctBy(r => r.Id).OrderBy(r => IndexOf(policy.Document.Recipients, r))],
            [.. categories.SelectMany(c => c.Transfers).DistinctBy(t => t.Id).OrderBy(t => IndexOf(policy.Document.Transfers, t))]);
    }

    public string Subject(SubjectKind kind) => text["Ropa.Subject." + kind];

    public string Safeguard(TransferSafeguard safeguard) => text["Ropa.Safeguard." + safeguard];

    public static string Local(LocalizedText value) => value?.Get(CultureInfo.CurrentUICulture) ?? "";

    public string Purposes(IEnumerable<(Purpose Purpose, IReadOnlyList<LegalBasis> Bases)> purposes) =>
        string.Join("; ", purposes.Select(p => $"{Local(p.Purpose.Name)} ({string.Join(", ", p.Bases.Select(b => Local(b.Name)))})"));

    public string Transfer(DataTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        var destination = transfer.Country ?? (transfer.ToController is { } to ? policy.FindController(to)?.Country : null);
        var safeguards = string.Join(", ", transfer.Safeguards.Select(Safeguard));
        return destination is null ? $"{text["Ropa.Destination.Various"]}: {safeguards}" : $"{destination}: {safeguards}";
    }

    public static string Retention(RetentionRule rule) =>
        rule.Law is { } law ? $"{Local(rule.Description)} ({Local(law)})" : Local(rule.Description);

    /// <summary>The record as CSV, one row per category of personal data, headed in the current culture (UTF-8 with a byte order mark, for spreadsheets).</summary>
    public byte[] Csv()
    {
        var csv = new StringBuilder();
        MyData.Csv.AppendRow(csv, CsvColumns.Select(h => text["Ropa.Csv." + h].Value));
        foreach (var record in Build())
        {
            var c = record.Controller;
            foreach (var line in record.Categories)
            {
                MyData.Csv.AppendRow(csv,
                [
                    c.LegalName,
                    c.RegistrationCode,
                    $"{c.Address}, {c.Country}; {c.Email}; {c.Phone}",
                    c.PrivacyEmail,
                    Local(record.Authority.Name),
                    Local(line.Category.Name),
                    Local(line.Category.Description),
                    string.Join(", ", line.Category.Subjects.Select(Subject)),
                    Purposes(line.Purposes),
                    Retention(line.Retention),
                    string.Join("; ", line.Recipients.Select(r => Local(r.Name))),
                    string.Join("; ", line.Transfers.Select(Transfer)),
                    Local(c.SecurityMeasures),
                ]);
            }
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    private (Purpose, IReadOnlyList<LegalBasis>) WithBases(Purpose purpose) => (purpose, policy.LegalBasesOf(purpose));

    /// <summary>The position in the policy file, so the record lists things in the file's order.</summary>
    private static int IndexOf<T>(IReadOnlyList<T> items, T item)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(items[i], item))
            {
                return i;
            }
        }

        return items.Count;
    }
}
