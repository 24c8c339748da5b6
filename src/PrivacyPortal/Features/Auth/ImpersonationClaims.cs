using System.Security.Claims;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// The claim contract of "view as customer" (RFC 8693 §4.1's actor idea). A principal is
/// impersonating if and only if it carries <see cref="Impersonation"/>; its subject
/// (<see cref="ClaimTypes.NameIdentifier"/>) is then the customer, and <see cref="Actor"/> names the
/// staff member behind it. Write paths and the OIDC authorize endpoint refuse such a principal with
/// <see cref="IsImpersonating"/>.
/// </summary>
public static class ImpersonationClaims
{
    /// <summary>The id of the impersonation session (an <c>ImpersonationSessions</c> row).</summary>
    public const string Impersonation = "imp";

    /// <summary>The staff member acting in the customer's name.</summary>
    public const string Actor = "act";

    /// <summary>The staff member's own session, kept while they view as the customer.</summary>
    public const string ActorSessionId = "act_sid";

    /// <summary>The staff member's language (their staff pages' at the start): the view-as banner speaks it, whatever the customer's page does.</summary>
    public const string ActorCulture = "act_locale";

    /// <summary>The <c>amr</c> value of an impersonation principal: it never proves who the customer is.</summary>
    public const string Method = "impersonation";

    public static bool IsImpersonating(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasClaim(c => c.Type == Impersonation);
    }

    public static Guid? ImpersonationIdOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(Impersonation), out var id) ? id : null;
    }

    public static Guid? ActorIdOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(Actor), out var id) ? id : null;
    }

    public static Guid? ActorSessionIdOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(ActorSessionId), out var id) ? id : null;
    }
}
