using Microsoft.AspNetCore.Identity;

namespace PrivacyPortal.Data;

public enum AccountKind
{
    Consumer = 0,
    BusinessContact = 1,
    Staff = 2,
}

/// <summary>A person the group holds data on, or a member of staff; the ASP.NET Core Identity user.</summary>
public sealed class DataSubject : IdentityUser<Guid>
{
    public AccountKind Kind { get; set; }

    public string DisplayName { get; set; } = "";

    /// <summary>B2B contacts only (policy §3.2).</summary>
    public string? CompanyName { get; set; }

    public string? CompanyRegistrationCode { get; set; }

    public string? JobTitle { get; set; }

    /// <summary>The culture the person last used, so emails the portal sends on its own speak their language.</summary>
    public string PreferredCulture { get; set; } = "en";

    /// <summary>Staff only: the language the staff member chose for the staff pages; null follows the browser.</summary>
    public string? StaffLanguage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last sign-in at the portal (or through it, at a store): it keeps a customer relationship active.</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
}
