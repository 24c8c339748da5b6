using System.ComponentModel.DataAnnotations;

namespace PrivacyPortal.Features.Policy;

public sealed class PolicyOptions
{
    public const string SectionName = "Policy";

    /// <summary>The policy file; a relative path is resolved against the content root.</summary>
    [Required]
    public string File { get; set; } = "Policies/innore.policy.json";
}
