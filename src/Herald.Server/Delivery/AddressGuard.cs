using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Which addresses Herald may connect to (promise 6, "safe to point anywhere"): not loopback, private,
/// link-local (the cloud metadata address among them), CGNAT, multicast, reserved or unspecified ones,
/// nor their IPv4-mapped or NAT64 forms — unless the operator allows a network by CIDR.
/// </summary>
/// <remarks>
/// IPv6 forms that carry an IPv4 address: the two whose IPv4 address is where the packet really goes and whose
/// place in the address is fixed — IPv4-mapped <c>::ffff:a.b.c.d</c> and NAT64's well-known prefix
/// <c>64:ff9b::/96</c> (which DNS64 networks give every IPv4-only receiver) — are read as that IPv4 address and
/// judged by the IPv4 rules. Every other transition form is refused outright: IPv4-compatible <c>::a.b.c.d</c>
/// (deprecated), IPv4-translated <c>::ffff:0:a.b.c.d</c> (SIIT), local-use NAT64 <c>64:ff9b:1::/48</c> (the IPv4
/// address sits where the local prefix length puts it, which Herald cannot know), 6to4 <c>2002::/16</c> and Teredo
/// <c>2001::/32</c> (tunnels through relays towards an embedded IPv4 address; both deprecated, no receiver needs them).
/// </remarks>
internal sealed class AddressGuard
{
    private static readonly (IPNetwork Network, string Kind)[] Blocked =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible (deprecated transition)"),
        (IPNetwork.Parse("::ffff:0:0:0/96"), "IPv4-translated (SIIT transition)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64 (transition)"),
        (IPNetwork.Parse("100::/64"), "discard-only"),
        (IPNetwork.Parse("2001::/32"), "Teredo (transition)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("2002::/16"), "6to4 (transition)"),
        (IPNetwork.Parse("fc00::/7"), "private (ULA)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly IPNetwork[] _allowed;

    public AddressGuard(IOptions<DeliveryOptions> options) =>
        _allowed = options.Value.AllowedNetworks.Select(n => IPNetwork.Parse(n)).ToArray();

    /// <summary>Null when Herald may connect to <paramref name="address"/>; otherwise why not.</summary>
    public string? Refusal(IPAddress address)
    {
        if (_allowed.Any(n => n.Contains(address)))
        {
            return null;
        }

        var effective = Unwrap(address);
        if (!effective.Equals(address) && _allowed.Any(n => n.Contains(effective)))
        {
            return null;
        }

        foreach (var (network, kind) in Blocked)
        {
            if (network.Contains(effective))
            {
                return $"{address} is a {kind} address; Herald does not connect to those unless Herald:Delivery:AllowedNetworks allows it";
            }
        }

        return null;
    }

    /// <summary>The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address.</summary>
    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (Nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return address;
    }

    public static bool IsValidNetwork(string cidr) => IPNetwork.TryParse(cidr, out _);
}
