using Herald.Server.Delivery;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Security;

/// <summary>
/// IPv6 transition addresses: the forms with a fixed place for the IPv4 address that really receives the packet
/// (IPv4-mapped, NAT64's well-known prefix) are judged as that IPv4 address; every other form is refused outright,
/// whatever IPv4 address it carries, unless the operator allows its network.
/// </summary>
public sealed class TransitionAddressTests
{
    private static AddressGuard Guard(params string[] allowed) =>
        new(Options.Create(new DeliveryOptions { AllowedNetworks = [.. allowed] }));

    [Theory]
    [InlineData("2002:7f00:1::1", "6to4")]                    // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1", "6to4")]                 // 6to4 of 169.254.169.254
    [InlineData("2002:808:808::1", "6to4")]                   // 6to4 of a public address: a relay still decides where it goes
    [InlineData("64:ff9b:1::7f00:1", "NAT64")]                // local-use NAT64
    [InlineData("64:ff9b:1:7f00:1::", "NAT64")]               // local-use NAT64, /48 placement
    [InlineData("64:ff9b:1::808:808", "NAT64")]
    [InlineData("::127.0.0.1", "IPv4-compatible")]
    [InlineData("::169.254.169.254", "IPv4-compatible")]
    [InlineData("::8.8.8.8", "IPv4-compatible")]
    [InlineData("::ffff:0:127.0.0.1", "IPv4-translated")]
    [InlineData("::ffff:0:8.8.8.8", "IPv4-translated")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("2001::7f00:1", "Teredo")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("100::1", "discard")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    public void Refuses_TransitionAndReservedForms_WhateverTheyCarry(string address, string kind)
    {
        var refusal = Guard().Refusal(IPAddress.Parse(address));

        Assert.NotNull(refusal);
        Assert.Contains(kind, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64:ff9b::808:808")]       // DNS64 networks give every IPv4-only receiver such an address
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2600:1f18::1")]
    [InlineData("2a00:1450:4001:80b::200e")]
    public void Allows_PublicAddresses_AndTheFixedFormsOfPublicIPv4(string address) =>
        Assert.Null(Guard().Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("2002::/16", "2002:808:808::1")]
    [InlineData("64:ff9b:1::/48", "64:ff9b:1::a00:1")]
    public void AllowedNetwork_StillOpensATransitionPrefix(string network, string address) =>
        Assert.Null(Guard(network).Refusal(IPAddress.Parse(address)));
}
