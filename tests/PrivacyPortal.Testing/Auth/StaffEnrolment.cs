using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Testing.Auth;

/// <summary>Staff enrolment for tests that are not about it: an invitation as the privacy officer would create, without its mail.</summary>
public static class StaffEnrolment
{
    /// <summary>An invitation for <paramref name="email"/>, valid for a day from the app's clock; returns the token of its link.</summary>
    public static async Task<string> InviteAsync(PortalAppFactory app, string email)
    {
        ArgumentNullException.ThrowIfNull(app);
        var token = MagicLinkSecrets.NewToken();
        var now = app.Clock.GetUtcNow();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var normalized = email.ToUpperInvariant();
        var id = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync();
        db.Set<StaffInvitation>().Add(new StaffInvitation
        {
            Id = Guid.NewGuid(), UserId = id, TokenHash = MagicLinkSecrets.HashToken(token), CreatedAt = now, ExpiresAt = now.AddDays(1),
        });
        await db.SaveChangesAsync();
        return token;
    }

    /// <summary>The address of the enrolment page the invitation's mail links to.</summary>
    public static string EnrolmentPath(string token) => "/staff/second-factor?returnUrl=%2Fstaff&invitation=" + token;
}
