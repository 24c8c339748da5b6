using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace SampleStore.SignIn;

/// <summary>
/// The store's sessions, kept on the server (the cookie only carries a random key). That is what
/// lets the portal end a session: a back-channel logout names the portal session (<c>sid</c>) or the
/// person (<c>sub</c>), and every ticket signed in under it is removed, so the next request with its
/// cookie is anonymous. In memory here; a store with several instances keeps them in a shared
/// database or cache instead (same interface).
/// </summary>
public sealed class StoreSessions(TimeProvider time) : ITicketStore
{
    /// <summary>Where the ticket remembers its own key, so the claims refresher can find it again.</summary>
    public const string KeyItem = "store.session";

    private readonly ConcurrentDictionary<string, AuthenticationTicket> tickets = new(StringComparer.Ordinal);

    public int Count => tickets.Count;

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        RemoveExpired();
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        ticket.Properties.Items[KeyItem] = key;
        tickets[key] = ticket;
        return Task.FromResult(key);
    }

    /// <summary>
    /// Replaces a ticket only while its session lives: a session the portal ended stays ended. The
    /// cookie handler renews a sliding session with the ticket it read at the start of the request;
    /// if the claims were refreshed meanwhile, that copy holds a refresh token the portal has already
    /// rotated, so only its new expiry is taken.
    /// </summary>
    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (tickets.TryGetValue(key, out var current))
        {
            if (PrivacyClaimsRefresher.RefreshedAt(current.Properties) > PrivacyClaimsRefresher.RefreshedAt(ticket.Properties))
            {
                var kept = current.Properties.Clone();
                kept.IssuedUtc = ticket.Properties.IssuedUtc;
                kept.ExpiresUtc = ticket.Properties.ExpiresUtc;
                ticket = new AuthenticationTicket(current.Principal, kept, current.AuthenticationScheme);
            }

            ticket.Properties.Items[KeyItem] = key;
            tickets.TryUpdate(key, ticket, current);
        }

        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (!tickets.TryGetValue(key, out var ticket))
        {
            return Task.FromResult<AuthenticationTicket?>(null);
        }

        if (ticket.Properties.ExpiresUtc is { } expires && expires <= time.GetUtcNow())
        {
            tickets.TryRemove(key, out _);
            return Task.FromResult<AuthenticationTicket?>(null);
        }

        return Task.FromResult<AuthenticationTicket?>(ticket);
    }

    public Task RemoveAsync(string key)
    {
        tickets.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <summary>The person's sessions here.</summary>
    public IReadOnlyList<AuthenticationTicket> Of(string sub) => [.. tickets.Values.Where(t => t.Principal.FindFirst(PortalClaims.Subject)?.Value == sub)];

    public AuthenticationTicket? Find(string key) => tickets.GetValueOrDefault(key);

    /// <summary>
    /// Ends the sessions a logout token names: those of portal session <paramref name="sid"/> (of
    /// <paramref name="sub"/> too, when both are given), or every session of <paramref name="sub"/>
    /// when there is no sid. Returns the tickets removed.
    /// </summary>
    public IReadOnlyList<AuthenticationTicket> End(string? sid, string? sub)
    {
        var ended = new List<AuthenticationTicket>();
        foreach (var (key, ticket) in tickets)
        {
            if (Matches(ticket, sid, sub) && tickets.TryRemove(key, out var removed))
            {
                ended.Add(removed);
            }
        }

        return ended;
    }

    /// <summary>The sessions <see cref="End"/> would end, left as they are.</summary>
    public IReadOnlyList<AuthenticationTicket> Named(string? sid, string? sub) => [.. tickets.Values.Where(t => Matches(t, sid, sub))];

    private static bool Matches(AuthenticationTicket ticket, string? sid, string? sub)
    {
        var ticketSid = ticket.Principal.FindFirst(PortalClaims.SessionId)?.Value;
        var ticketSub = ticket.Principal.FindFirst(PortalClaims.Subject)?.Value;
        return sid is not null
            ? ticketSid == sid && (sub is null || ticketSub == sub)
            : sub is not null && ticketSub == sub;
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (key, ticket) in tickets)
        {
            if (ticket.Properties.ExpiresUtc is { } expires && expires <= now)
            {
                tickets.TryRemove(key, out _);
            }
        }
    }
}

/// <summary>The claim names as the portal sends them (the handler's inbound mapping is off).</summary>
public static class PortalClaims
{
    public const string Subject = "sub";
    public const string SessionId = "sid";
    public const string Name = "name";
    public const string Email = "email";
    public const string AuthenticationMethods = "amr";
    public const string AuthTime = "auth_time";

    /// <summary>JSON: the cookie choice and the marketing permissions at the store's company (docs/oidc.md).</summary>
    public const string Privacy = "privacy";

    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
}
