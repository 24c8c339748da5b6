using System.Net;
using System.Net.Sockets;

namespace PrivacyPortal.Infrastructure;

/// <summary>The key per-IP limits count under.</summary>
public static class ClientNetwork
{
    private const int Ipv6NetworkBytes = 8;

    /// <summary>
    /// An IPv4 address counts as itself (also when it arrives IPv4-mapped, <c>::ffff:a.b.c.d</c>); an
    /// IPv6 address counts as its /64 network (<c>2001:db8:1:2::/64</c>), since one subscriber is
    /// normally given a whole /64 and could otherwise take a fresh allowance with every address in
    /// it. Requests without an address share one key.
    /// </summary>
    public static string LimitKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, Ipv6NetworkBytes, bytes.Length - Ipv6NetworkBytes);
        return new IPAddress(bytes).ToString() + "/64";
    }
}
