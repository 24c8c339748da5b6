using System.Security.Claims;

namespace PrivacyPortal.Features.Auth;

public static class PortalClaims
{
    public const string Scheme = "Portal";
    public const string CookieName = "pp.auth";
    public const string SessionId = "sid";
    public const string AuthenticationMethod = "amr";
    public const string AuthTime = "auth_time";

    public static Guid? SubjectId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
    }

    public static Guid? SessionIdOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(SessionId), out var id) ? id : null;
    }

    /// <summary>The signed-in person's id; only for pages that require authentication.</summary>
    public static Guid RequiredSubjectId(this ClaimsPrincipal user) =>
        user.SubjectId() ?? throw new InvalidOperationException("The page requires a signed-in person.");
}
