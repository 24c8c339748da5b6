using PrivacyPortal.Features.Preferences;

namespace PrivacyPortal.Pages.Preferences;

/// <param name="Context">Said to screen readers after the label, so the many "Unsubscribe" buttons can be told apart.</param>
/// <param name="ItemId">The id of the element that shows this preference: with JavaScript only it is swapped after a change.</param>
public sealed record ChangeButton(string Controller, PreferenceKind Kind, string Target, bool Enable, string Label, string Context, string CssClass, string ItemId);
