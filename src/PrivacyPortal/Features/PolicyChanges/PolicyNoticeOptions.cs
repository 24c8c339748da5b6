using System.ComponentModel.DataAnnotations;

namespace PrivacyPortal.Features.PolicyChanges;

public sealed class PolicyNoticeOptions
{
    public const string SectionName = "PolicyNotices";

    /// <summary>People told per transaction: each batch commits its mails and its notice rows together.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;
}
