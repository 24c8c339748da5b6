using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Impersonation;

public enum StaffNameDisplay
{
    Name,
    Initials,
}

public sealed class ImpersonationOptions
{
    public const string SectionName = "Impersonation";

    /// <summary>The longest a view as customer lasts; it can be set lower, never above 30 minutes.</summary>
    [TimeSpanRange("00:01:00", "00:30:00", ErrorMessage = "Impersonation:MaxDuration must be between 1 and 30 minutes.")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How the customer is shown who looked: the staff member's full name or initials.</summary>
    [EnumDataType(typeof(StaffNameDisplay))]
    public StaffNameDisplay ShowStaffAs { get; set; } = StaffNameDisplay.Name;

    /// <summary>Email the customer when a view as customer starts.</summary>
    public bool NotifyCustomer { get; set; } = true;
}
