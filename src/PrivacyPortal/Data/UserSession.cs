namespace PrivacyPortal.Data;

/// <summary>
/// A signed-in session held on the server, so signing out, erasure and staff actions can end it
/// even though the browser still holds the cookie.
/// </summary>
public sealed class UserSession
{
    public Guid Id { get; set; }

    public Guid SubjectId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The absolute end, whatever the activity.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>How the person proved who they are (e.g. <c>magic-link</c>, <c>code</c>), for the OIDC <c>amr</c> claim.</summary>
    public string AuthenticationMethod { get; set; } = "";

    public string? UserAgent { get; set; }
}
