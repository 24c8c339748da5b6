namespace PrivacyPortal.Infrastructure;

/// <summary>
/// Outside Development every cookie of ours is <c>__Host-</c> prefixed and Secure. Development runs
/// on plain http://localhost:5080 (and on LAN addresses for phone testing), where a Secure cookie
/// would not come back, so there the same cookies go without the prefix.
/// </summary>
public static class CookieNames
{
    public static string For(IWebHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.IsDevelopment() ? name : "__Host-" + name;
    }

    public static CookieSecurePolicy SecurePolicy(IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
    }
}
