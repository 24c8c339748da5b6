using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Preferences;

public sealed class PreferencesOptions
{
    public const string SectionName = "Preferences";

    /// <summary>
    /// How long an unsubscribe link in a store's email works. People unsubscribe from old mails too,
    /// so it is long; a link that expired shows how to sign in and stop the mails there.
    /// </summary>
    [TimeSpanRange("1.00:00:00", "730.00:00:00")]
    public TimeSpan UnsubscribeLinkLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long a change the person asked for while signed out waits for them to sign in.</summary>
    [TimeSpanRange("00:05:00", "1.00:00:00")]
    public TimeSpan PendingChangeLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A confirmation mail waits this long for more changes before it goes out: several quick
    /// changes (a person going down the list) are confirmed in one mail, not one mail each. Zero
    /// sends each change's mail at once.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:15:00")]
    public TimeSpan ConfirmationBundleWindow { get; set; } = TimeSpan.FromMinutes(2);
}
