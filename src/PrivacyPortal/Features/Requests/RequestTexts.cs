using System.Globalization;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

/// <summary>A supervisory authority as a person needs it: who, when, and how to reach it.</summary>
public sealed record AuthorityContact(string Name, string? When, string? Address, string? Email, Uri Web);

/// <summary>Sentences about requests shared by the pages and the emails, in the current UI culture.</summary>
public sealed class RequestTexts(PolicyCatalog policy, IStringLocalizer<Localization.Requests> text)
{
    public PolicyCatalog Policy => policy;

    public static string Date(DateOnly date, CultureInfo culture) => Infrastructure.Time.DateTexts.Date(date, culture);

    public static string Format(DateOnly date) => Date(date, CultureInfo.CurrentUICulture);

    public string Kind(RequestKind kind) => text["Kind." + kind];

    public string Status(RequestStatus status) => text["Status." + status];

    public string Channel(RequestChannel channel) => text["Channel." + channel];

    public string Recipient(string recipientId) => policy.Document.Recipients.FirstOrDefault(r => r.Id == recipientId)?.Name.Get(CultureInfo.CurrentUICulture) ?? recipientId;

    public string ControllerName(string controllerId) => policy.FindController(controllerId)?.LegalName ?? controllerId;

    public string Controllers(IEnumerable<string> controllerIds) => string.Join(", ", controllerIds.Select(ControllerName));

    public string CategoryName(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Name.Get(CultureInfo.CurrentUICulture) ?? categoryId;

    /// <summary>"Orders: kept until 31 December 2029 under bokføringsloven § 13, restricted (1 record)".</summary>
    public string Line(ErasurePlanLine line, bool done)
    {
        ArgumentNullException.ThrowIfNull(line);
        return $"{CategoryName(line.ControllerId, line.CategoryId)}: {What(line, done)}";
    }

    /// <summary>"kept until 31 December 2029 under bokføringsloven § 13 (records: 1)", without the category.</summary>
    public string What(ErasurePlanLine line, bool done)
    {
        ArgumentNullException.ThrowIfNull(line);
        var prefix = done ? "Outcome." : "Plan.";
        var records = Records(line.Records);
        return line.Outcome switch
        {
            RecordOutcome.Erase => text[prefix + "Erase", records],
            RecordOutcome.KeepRestricted when line.Ground == ErasureGround.LegalClaims =>
                text[prefix + "KeepForClaims", Format(line.KeepUntil!.Value), records],
            RecordOutcome.KeepRestricted when Law(line.RetentionRuleId) is { } law =>
                text[prefix + "KeepUnderLaw", Format(line.KeepUntil!.Value), law, records],
            RecordOutcome.KeepRestricted => text[prefix + "Keep", Format(line.KeepUntil!.Value), Rule(line.RetentionRuleId), records],
            RecordOutcome.Restricted => text[prefix + "Restricted", records],
            RecordOutcome.Anonymise => text[prefix + "Anonymise", records],
            RecordOutcome.Held => Held(line, prefix),
            _ => text[prefix + "Review", records],
        };
    }

    /// <summary>A legal hold: its reason and last day only where the officer did not mark it confidential.</summary>
    private string Held(ErasurePlanLine line, string prefix)
    {
        var records = Records(line.Records);
        var what = line.KeepUntil is { } until
            ? text[prefix + "HeldUntil", Format(until), records]
            : text[prefix + "Held", records];
        return line.HoldReason is { Length: > 0 } reason ? $"{what} {text["Plan.HoldReason", reason.TrimEnd('.', ' ')]}" : $"{what} {text["Plan.HoldConfidential"]}";
    }

    /// <summary>"1 record", "5 records", in the current language.</summary>
    public string Records(int count) => text.Plural("Plan.Records", count).Value;

    /// <summary>Plan lines grouped by company, for emails: "INNORE AS — Orders: …".</summary>
    public IEnumerable<string> Lines(IEnumerable<ErasurePlanLine> lines, bool done) =>
        lines.Select(l => $"{ControllerName(l.ControllerId)} — {Line(l, done)}");

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
