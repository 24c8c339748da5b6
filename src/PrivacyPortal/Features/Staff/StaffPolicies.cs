using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// Authorization policies of the staff area. Every one of them needs a staff account signed in
/// with both factors (magic link and authenticator); the role ones add a role.
/// </summary>
public static class StaffPolicies
{
    /// <summary>Any staff role (Support, PrivacyOfficer or Admin) with both factors.</summary>
    public const string Staff = "Staff";

    /// <summary>The Support role.</summary>
    public const string Support = "Staff.Support";

    /// <summary>The PrivacyOfficer role: extend and refuse requests, the retention report.</summary>
    public const string PrivacyOfficer = "Staff.PrivacyOfficer";

    /// <summary>The Admin role: manage staff.</summary>
    public const string Admin = "Staff.Admin";

    /// <summary>The privacy officer or an admin: invite staff, reset authenticators.</summary>
    public const string ManageStaff = "Staff.ManageStaff";

    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().AddRequirements(new StaffRequirement(StaffRoles.All)));
        options.AddPolicy(Support, p => p.RequireAuthenticatedUser().AddRequirements(new StaffRequirement([StaffRoles.Support])));
        options.AddPolicy(PrivacyOfficer, p => p.RequireAuthenticatedUser().AddRequirements(new StaffRequirement([StaffRoles.PrivacyOfficer])));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().AddRequirements(new StaffRequirement([StaffRoles.Admin])));
        options.AddPolicy(ManageStaff, p => p.RequireAuthenticatedUser().AddRequirements(new StaffRequirement([StaffRoles.PrivacyOfficer, StaffRoles.Admin])));
    }
}

/// <summary>A staff account, signed in with the second factor, holding one of <see cref="Roles"/>.</summary>
public sealed class StaffRequirement(IReadOnlyList<string> roles) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>
/// Reads the roles from the database on every request rather than from the cookie, so taking a
/// role away works at once, not when the session ends.
/// </summary>
internal sealed class StaffRequirementHandler(StaffDirectory directory) : AuthorizationHandler<StaffRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, StaffRequirement requirement)
    {
        if (!StaffSecondFactor.IsCompleted(context.User) || context.User.SubjectId() is not { } id)
        {
            return;
        }

        var member = await directory.FindAsync(id);
        if (member is not null && member.Roles.Any(requirement.Roles.Contains))
        {
            context.Succeed(requirement);
        }
    }
}

public sealed record StaffMember(Guid Id, string Name, string Email, IReadOnlyList<string> Roles);

/// <summary>Who is staff, with which roles; cached for the request.</summary>
public sealed class StaffDirectory(PortalDbContext db)
{
    private readonly Dictionary<Guid, StaffMember?> cache = [];

    /// <summary>The staff member with that id and at least one staff role, or null.</summary>
    public async Task<StaffMember?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (cache.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == id && u.Kind == AccountKind.Staff)
            .Select(u => new { u.Id, u.DisplayName, u.Email })
            .FirstOrDefaultAsync(cancellationToken);
        StaffMember? member = null;
        if (user is not null)
        {
            var roles = await db.UserRoles.AsNoTracking()
                .Where(ur => ur.UserId == id)
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
                .ToListAsync(cancellationToken);
            var staffRoles = roles.Where(StaffRoles.All.Contains).ToList();
            member = staffRoles.Count > 0 ? new StaffMember(user.Id, user.DisplayName, user.Email ?? "", staffRoles) : null;
        }

        cache[id] = member;
        return member;
    }

    public async Task<StaffMember?> FindAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        user?.SubjectId() is { } id ? await FindAsync(id, cancellationToken) : null;

    /// <summary>Every staff member with at least one staff role, e.g. for the daily summary.</summary>
    public async Task<IReadOnlyList<StaffMember>> AllAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Users.AsNoTracking()
            .Where(u => u.Kind == AccountKind.Staff && u.Email != null)
            .Join(db.UserRoles, u => u.Id, ur => ur.UserId, (u, ur) => new { u.Id, u.DisplayName, u.Email, ur.RoleId })
            .Join(db.Roles, x => x.RoleId, r => r.Id, (x, r) => new { x.Id, x.DisplayName, x.Email, Role = r.Name })
            .ToListAsync(cancellationToken);
        return [.. rows.Where(r => r.Role is not null && StaffRoles.All.Contains(r.Role))
            .GroupBy(r => r.Id)
            .Select(g => new StaffMember(g.Key, g.First().DisplayName, g.First().Email!, [.. g.Select(r => r.Role!).Distinct()]))];
    }
}
