using System.Globalization;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>How a preference and its state are named to a person, on pages and in emails, in the current culture.</summary>
public sealed class PreferenceText(PolicyCatalog policy, IStringLocalizer<Localization.Preferences> text)
{
    public string ControllerName(string controllerId) => policy.FindController(controllerId)?.LegalName ?? controllerId;

    public string Name(PreferenceKey key)
    {
        var culture = CultureInfo.CurrentUICulture;
        return key.Kind switch
        {
            PreferenceKind.Newsletter => policy.FindController(key.ControllerId)?.Marketing.Newsletter?.Name.Get(culture) ?? text["Kind.Newsletter"],
            PreferenceKind.DirectMarketing => text["Channel." + key.Target],
            PreferenceKind.Consent => policy.FindConsent(key.ControllerId, key.Target)?.Title.Get(culture) ?? key.Target,
            _ => key.Target,
        };
    }

    /// <summary>The state after a change, e.g. "unsubscribed", "objected", "consent given".</summary>
    public string State(PreferenceKind kind, bool enabled) =>
        text[$"State.{kind}.{(enabled ? "On" : "Off")}"];

    public string Actor(PreferenceActorKind actor) => text["Actor." + actor];

    public string Channel(PreferenceChannel channel) => text["Via." + channel];
}
