using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>
/// "Object to everything": for one company, or for the whole group when no company is given, stops
/// the newsletter, objects to direct marketing on every channel and withdraws every consent, as one
/// action with one row per preference that was still on.
/// </summary>
public sealed class ObjectToAllMarketingCommand(PolicyCatalog policy, ChangeMarketingPreferenceCommand change)
{
    public Task<PreferenceChangeResult> ExecuteAsync(Guid subjectId, string? controllerId, PreferenceActor actor, CancellationToken cancellationToken)
    {
        if (controllerId is not null && policy.FindController(controllerId) is null)
        {
            return Task.FromResult(PreferenceChangeResult.Of(PreferenceChangeOutcome.Unknown));
        }

        var stops = PreferenceKey.AllOf(policy, controllerId).Select(k => new PreferenceChange(k, Enable: false)).ToList();
        return change.ExecuteAsync(subjectId, stops, actor, cancellationToken);
    }
}
