namespace PrivacyPortal.Localization;

/// <summary>The provider's pages (errors it must not redirect, sign-out confirmation): localization/Oidc*.resx.</summary>
public sealed class Oidc;
