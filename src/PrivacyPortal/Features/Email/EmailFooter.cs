using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Email;

/// <summary>The controllers every email names, from the policy file.</summary>
public sealed class EmailFooter(PolicyCatalog policy)
{
    public IReadOnlyList<string> Lines() =>
        [.. policy.Controllers.Select(c => $"{c.LegalName} · {c.RegistrationCode} · {c.Address} · {c.PrivacyEmail}")];

    /// <summary>Where a person with a question writes to: the privacy contact of the first controller.</summary>
    public string ContactEmail() => policy.Controllers[0].PrivacyEmail;
}
