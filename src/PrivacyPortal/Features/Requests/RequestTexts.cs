using System.Globalization;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

/// <summary>A supervisory authority as a person needs it: who, when, and how to reach it.</summary>
public sealed record AuthorityContact(string Name, string? When, string? Address, string? Email, Uri Web);

/// <summary>
/// Plan lines merged for reading: <see cref="Line"/> with the records summed and its latest end date, and
/// <paramref name="KeepFrom"/> the earliest end where the merged lines ended on different days.
/// </summary>
public sealed record PlanGroup(ErasurePlanLine Line, DateOnly? KeepFrom);

/// <summary>Sentences about requests shared by the pages and the emails, in the current UI culture.</summary>
public sealed class RequestTexts(PolicyCatalog policy, IStringLocalizer<Localization.Requests> text)
{
    public PolicyCatalog Policy => policy;

    public static string Date(DateOnly date, CultureInfo culture) => Infrastructure.Time.DateTexts.Date(date, culture);

    public static string Format(DateOnly date) => Date(date, CultureInfo.CurrentUICulture);

    public string Kind(RequestKind kind) => text["Kind." + kind];

    /// <summary>The kind as staff speak of it: "Erasure of the customer's data", not "of your data".</summary>
    public string StaffKind(RequestKind kind) => text["StaffKind." + kind];

    public string Status(RequestStatus status) => text["Status." + status];

    public string Channel(RequestChannel channel) => text["Channel." + channel];

    public string Recipient(string recipientId) => policy.Document.Recipients.FirstOrDefault(r => r.Id == recipientId)?.Name.Get(CultureInfo.CurrentUICulture) ?? recipientId;

    public string ControllerName(string controllerId) => policy.FindController(controllerId)?.LegalName ?? controllerId;

    public string Controllers(IEnumerable<string> controllerIds) => string.Join(", ", controllerIds.Select(ControllerName));

    public string CategoryName(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Name.Get(CultureInfo.CurrentUICulture) ?? categoryId;

    /// <summary>"Orders: kept until 31 December 2029 under bokføringsloven § 13, restricted (1 record)".</summary>
    public string Line(PlanGroup group, bool done, DateOnly? due = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        return $"{CategoryName(group.Line.ControllerId, group.Line.CategoryId)}: {What(group, done, due)}";
    }

    /// <summary>
    /// Lines that differ only in their end date merged into one, with the earliest and the latest end:
    /// seven orders kept under the bookkeeping law read as one line, not seven.
    /// </summary>
    public static IReadOnlyList<PlanGroup> Group(IEnumerable<ErasurePlanLine> lines) =>
        [.. lines
            .GroupBy(l => (l.ControllerId, l.CategoryId, l.Outcome, l.RetentionRuleId, l.HoldReason, l.Ground))
            .Select(g =>
            {
                var first = g.First();
                var ends = g.Where(l => l.KeepUntil is not null).Select(l => l.KeepUntil!.Value).ToList();
                var latest = ends.Count == 0 ? first.KeepUntil : ends.Max();
                var earliest = ends.Count == 0 ? null : (DateOnly?)ends.Min();
                return new PlanGroup(
                    first with { Records = g.Sum(l => l.Records), KeepUntil = latest },
                    earliest is { } e && e != latest ? e : null);
            })];

    /// <summary>
    /// "will be erased by 5 January 2027 (3 records)" or "kept until 31 December 2029 under bokføringsloven § 13 (1 record)", without
    /// the category. <paramref name="due"/> is the day a filed (or about to be filed) request must be answered by; without it,
    /// erasure is said to happen now (staff carrying it out).
    /// </summary>
    public string What(ErasurePlanLine line, bool done, DateOnly? due = null) => What(new PlanGroup(line, null), done, due);

    /// <inheritdoc cref="What(ErasurePlanLine, bool, DateOnly?)"/>
    public string What(PlanGroup group, bool done, DateOnly? due = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        var line = group.Line;
        var prefix = done ? "Outcome." : "Plan.";
        var records = group.KeepFrom is null ? Records(line.Records) : text["Plan.RecordsEach", Records(line.Records)].Value;
        var until = line.KeepUntil is { } end
            ? group.KeepFrom is { } from ? text["Plan.DateRange", Format(from), Format(end)].Value : Format(end)
            : "";
        return line.Outcome switch
        {
            RecordOutcome.Erase when !done && due is { } by => text["Plan.EraseBy", records, Format(by)],
            RecordOutcome.Erase => text[prefix + "Erase", records],
            RecordOutcome.KeepRestricted when line.Ground == ErasureGround.LegalClaims =>
                text[prefix + "KeepForClaims", until, records],
            RecordOutcome.KeepRestricted when Law(line.RetentionRuleId) is { } law =>
                text[prefix + "KeepUnderLaw", until, law, records],
            RecordOutcome.KeepRestricted => text[prefix + "Keep", until, Rule(line.RetentionRuleId), records],
            RecordOutcome.Restricted => text[prefix + "Restricted", records],
            RecordOutcome.Anonymise when !done && due is { } by => text["Plan.AnonymiseBy", records, Format(by)],
            RecordOutcome.Anonymise => text[prefix + "Anonymise", records],
            RecordOutcome.Held => Held(line, prefix, records, until),
            _ => text[prefix + "Review", records],
        };
    }

    /// <summary>A legal hold: its reason and last day only where the officer did not mark it confidential.</summary>
    private string Held(ErasurePlanLine line, string prefix, string records, string until)
    {
        var what = line.KeepUntil is not null
            ? text[prefix + "HeldUntil", until, records]
            : text[prefix + "Held", records];
        return line.HoldReason is { Length: > 0 } reason ? $"{what} {text["Plan.HoldReason", reason.TrimEnd('.', ' ')]}" : $"{what} {text["Plan.HoldConfidential"]}";
    }

    /// <summary>"1 record", "5 records", in the current language.</summary>
    public string Records(int count) => text.Plural("Plan.Records", count).Value;

    /// <summary>Plan lines grouped by company, for emails: "INNORE AS — Orders: …".</summary>
    public IEnumerable<string> Lines(IEnumerable<ErasurePlanLine> lines, bool done, DateOnly? due = null) =>
        Group(lines).Select(g => $"{ControllerName(g.Line.ControllerId)} — {Line(g, done, due)}");

    /// <summary>The authorities a person may complain to about each controller, from the policy.</summary>
    public IReadOnlyList<(string Controller, IReadOnlyList<AuthorityContact> Authorities)> Authorities(IEnumerable<string> controllerIds)
    {
        var culture = CultureInfo.CurrentUICulture;
        var result = new List<(string, IReadOnlyList<AuthorityContact>)>();
        foreach (var id in controllerIds)
        {
            if (policy.FindController(id) is not { } controller)
            {
                continue;
            }

            var lead = policy.SupervisoryAuthorityOf(controller);
            var list = new List<AuthorityContact>
            {
                new(lead.Name.Get(culture), null, lead.Address, lead.Email, lead.Web),
            };
            foreach (var other in controller.OtherAuthorities)
            {
                var a = policy.GetAuthority(other.Authority);
                list.Add(new AuthorityContact(a.Name.Get(culture), other.When.Get(culture), a.Address, a.Email, a.Web));
            }

            result.Add((controller.LegalName, list));
        }

        return result;
    }

    public static string Describe(AuthorityContact authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var parts = new[] { authority.Name, authority.Address, authority.Email, authority.Web.AbsoluteUri.TrimEnd('/') }
            .Where(p => !string.IsNullOrEmpty(p));
        var line = string.Join(", ", parts);
        return authority.When is null ? line : $"{authority.When}: {line}";
    }

    private string? Law(string? ruleId)
    {
        if (ruleId is null)
        {
            return null;
        }

        try
        {
            return policy.GetRetentionRule(ruleId).Law?.Get(CultureInfo.CurrentUICulture);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    private string Rule(string? ruleId)
    {
        if (ruleId is null)
        {
            return "";
        }

        try
        {
            return policy.GetRetentionRule(ruleId).Description.Get(CultureInfo.CurrentUICulture);
        }
        catch (KeyNotFoundException)
        {
            return ruleId;
        }
    }
}
