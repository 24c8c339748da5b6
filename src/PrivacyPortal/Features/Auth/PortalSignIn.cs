using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Auth;

/// <summary>Starts and ends server-side sessions and the cookie that points at them.</summary>
public sealed class PortalSignIn(PortalDbContext db, TimeProvider time, IOptions<AuthOptions> options, IHttpContextAccessor accessor)
{
    public async Task SignInAsync(DataSubject subject, string method, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var context = accessor.HttpContext ?? throw new InvalidOperationException("Signing in needs an HTTP request.");
        var now = time.GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.NewGuid(),
            SubjectId = subject.Id,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.AbsoluteTimeout,
            AuthenticationMethod = method,
            UserAgent = Truncate(context.Request.Headers.UserAgent.ToString(), 300),
        };
        db.Sessions.Add(session);
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = now,
            ActorId = subject.Id,
            SubjectId = subject.Id,
            Action = "auth.signed-in",
            Detail = method,
            IpAddress = context.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync(cancellationToken);

        // A sign-in keeps a customer relationship active (retention rules counting from its end).
        // Set on the row directly, and on the object too, in case the caller saves it later.
        subject.LastSignInAt = now;
        await db.Users.Where(u => u.Id == subject.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSignInAt, now), cancellationToken);

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, subject.Id.ToString()),
                new Claim(ClaimTypes.Name, subject.DisplayName),
                new Claim(ClaimTypes.Email, subject.Email ?? ""),
                new Claim(PortalClaims.SessionId, session.Id.ToString()),
                new Claim(PortalClaims.AuthenticationMethod, method),
                new Claim(PortalClaims.AuthTime, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            PortalClaims.Scheme);
        await context.SignInAsync(PortalClaims.Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = false,
            IssuedUtc = now,
            ExpiresUtc = session.ExpiresAt,
        });
    }

    public async Task SignOutAsync(CancellationToken cancellationToken)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("Signing out needs an HTTP request.");
        var sessionId = context.User.SessionIdOf();
        if (sessionId is not null)
        {
            var now = time.GetUtcNow();
            await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken);
        }

        await context.SignOutAsync(PortalClaims.Scheme);
    }

    /// <summary>Ends every session of a person (after an erasure, or when staff lock an account).</summary>
    public async Task<int> EndAllSessionsAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Sessions.Where(s => s.SubjectId == subjectId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
