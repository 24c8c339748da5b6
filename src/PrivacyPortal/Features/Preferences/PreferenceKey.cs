using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>Which preference: a controller, a kind and a target.</summary>
public readonly record struct PreferenceKey(string ControllerId, PreferenceKind Kind, string Target)
{
    public const string NewsletterTarget = "newsletter";

    public static PreferenceKey Newsletter(string controllerId) => new(controllerId, PreferenceKind.Newsletter, NewsletterTarget);

    public static PreferenceKey DirectMarketing(string controllerId, MarketingChannel channel) =>
        new(controllerId, PreferenceKind.DirectMarketing, ChannelName(channel));

    public static PreferenceKey Consent(string controllerId, string consentId) => new(controllerId, PreferenceKind.Consent, consentId);

    public static string ChannelName(MarketingChannel channel) => channel.ToString().ToLowerInvariant();

    /// <summary>True when the policy offers this preference (an unknown company, channel or consent is not).</summary>
    public bool ExistsIn(PolicyCatalog policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var controller = policy.FindController(ControllerId);
        if (controller is null)
        {
            return false;
        }

        var target = Target;
        return Kind switch
        {
            PreferenceKind.Newsletter => controller.Marketing.Newsletter is not null && Target == NewsletterTarget,
            PreferenceKind.DirectMarketing => controller.Marketing.DirectMarketing?.Channels.Any(c => ChannelName(c) == target) == true,
            PreferenceKind.Consent => policy.FindConsent(ControllerId, Target) is not null,
            _ => false,
        };
    }

    /// <summary>
    /// What a preference is when nobody has said anything yet: direct marketing to an existing
    /// customer of the controller rests on legitimate interest, so it is on until objected to; to
    /// anyone else it needs consent, like newsletters and consents, and is off until given.
    /// </summary>
    public bool DefaultEnabled(bool existingCustomer) => Kind == PreferenceKind.DirectMarketing && existingCustomer;

    /// <summary>Every preference the policy offers, in the order of the file.</summary>
    public static IReadOnlyList<PreferenceKey> AllOf(PolicyCatalog policy, string? controllerId = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var keys = new List<PreferenceKey>();
        foreach (var controller in policy.Controllers.Where(c => controllerId is null || c.Id == controllerId))
        {
            if (controller.Marketing.Newsletter is not null)
            {
                keys.Add(Newsletter(controller.Id));
            }

            foreach (var channel in controller.Marketing.DirectMarketing?.Channels ?? [])
            {
                keys.Add(DirectMarketing(controller.Id, channel));
            }

            keys.AddRange(controller.Marketing.Consents.Select(c => Consent(controller.Id, c.Id)));
        }

        return keys;
    }
}
