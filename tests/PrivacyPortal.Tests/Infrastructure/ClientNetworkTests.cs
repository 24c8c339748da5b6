using System.Net;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Tests.Infrastructure;

/// <summary>Per-IP limits count an IPv6 client by its /64, an IPv4 client by its address.</summary>
public sealed class ClientNetworkTests
{
    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("fe80::1%3", "fe80::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    public void An_address_counts_under_its_limit_key(string address, string key) =>
        Assert.Equal(key, ClientNetwork.LimitKey(IPAddress.Parse(address)));

    [Fact]
    public void Addresses_of_one_ipv6_subscriber_share_a_key_and_neighbouring_networks_do_not()
    {
        var first = ClientNetwork.LimitKey(IPAddress.Parse("2a01:79d:53a0:8e00:1c2f:9d4e:11aa:7b01"));
        Assert.Equal(first, ClientNetwork.LimitKey(IPAddress.Parse("2a01:79d:53a0:8e00:dead:beef:0:1")));
        Assert.NotEqual(first, ClientNetwork.LimitKey(IPAddress.Parse("2a01:79d:53a0:8e01:1c2f:9d4e:11aa:7b01")));
        Assert.NotEqual(ClientNetwork.LimitKey(IPAddress.Parse("203.0.113.7")), ClientNetwork.LimitKey(IPAddress.Parse("203.0.113.8")));
    }

    [Fact]
    public void A_request_without_an_address_counts_under_one_shared_key() =>
        Assert.Equal("unknown", ClientNetwork.LimitKey(null));
}
