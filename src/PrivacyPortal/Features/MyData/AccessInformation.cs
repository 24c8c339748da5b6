using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.MyData;

/// <summary>A right a person has, and the request form that asks for it with the kind chosen.</summary>
/// <param name="RequestPath">Culture-prefixed path of the request form, e.g. <c>/nb/requests/new?kind=Erasure</c>.</param>
public sealed record RightView(DataSubjectRight Right, string Name, string Body, string LinkLabel, string RequestPath);

/// <summary>A text a company's policy states, e.g. whether it makes automated decisions.</summary>
public sealed record CompanyText(string ControllerId, string Company, string Text);

public sealed record CompanyAuthorities(string ControllerId, string Company, IReadOnlyList<AuthorityContact> Authorities);

/// <summary>What Art. 15(1) asks to be told once, whatever the records: rights, automated decisions, authorities.</summary>
public sealed record AccessInformationTexts(
    IReadOnlyList<RightView> Rights,
    IReadOnlyList<CompanyText> AutomatedDecisions,
    IReadOnlyList<CompanyAuthorities> Authorities);

/// <summary>
/// The parts of the Art. 15 answer that come from the policy alone, for my-data and the export.
/// They depend only on the culture, so they are resolved once per culture and kept: my-data adds no
/// work per visit for them (docs/benchmarks.md).
/// </summary>
public sealed class AccessInformation(
    PolicyCatalog policy,
    IStringLocalizer<Localization.MyData> text,
    IStringLocalizer<Localization.Requests> requestText)
{
    private readonly ConcurrentDictionary<string, AccessInformationTexts> byCulture = new(StringComparer.Ordinal);

    public AccessInformationTexts For(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return byCulture.GetOrAdd(culture.Name, _ => Resolve(culture));
    }

    private AccessInformationTexts Resolve(CultureInfo culture)
    {
        using var scope = new CultureScope(culture);
        var offered = policy.Controllers.SelectMany(c => c.Rights.Offered).ToHashSet();
        var rights = Enum.GetValues<DataSubjectRight>()
            .Where(offered.Contains)
            .Select(right => new RightView(
                right,
                text["Right." + right],
                text["Right." + right + ".Body"],
                text["Right." + right + ".Link"],
                $"/{culture.Name}/requests/new?kind={ToKind(right)}"))
            .ToList();
        var automated = policy.Controllers
            .Select(c => new CompanyText(c.Id, c.LegalName, c.AutomatedDecisions.Get(culture)))
            .ToList();
        var ids = policy.Controllers.Select(c => c.Id).ToList();
        var authorities = new RequestTexts(policy, requestText).Authorities(ids)
            .Select((a, i) => new CompanyAuthorities(ids[i], a.Controller, a.Authorities))
            .ToList();
        return new AccessInformationTexts(rights, automated, authorities);
    }

    private static RequestKind ToKind(DataSubjectRight right) =>
        Enum.GetValues<RequestKind>().First(k => FileRequestCommand.ToRight(k) == right);
}
