using Herald.Server.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Delivery;

/// <summary>Which addresses Herald refuses to connect to, and what the operator can allow.</summary>
public sealed class AddressGuardTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.0.0.8")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456:789a::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    public void Refuses_LoopbackPrivateLinkLocalCgnatMulticastReservedAndUnspecified(string address) =>
        Assert.NotNull(Guard().Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::a00:1")]
    public void Refuses_IPv4MappedAndNat64FormsOfBlockedAddresses(string address) =>
        Assert.NotNull(Guard().Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Allows_PublicAddresses(string address) =>
        Assert.Null(Guard().Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Refusal_SaysWhichKindOfAddressAndHowToAllowIt()
    {
        var refusal = Guard().Refusal(IPAddress.Parse("169.254.169.254"));

        Assert.Contains("169.254.169.254", refusal);
        Assert.Contains("link-local", refusal);
        Assert.Contains("AllowedNetworks", refusal);
    }

    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.1")]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1")]
    [InlineData("10.0.0.0/8", "10.20.30.40")]
    [InlineData("192.168.1.0/24", "192.168.1.77")]
    [InlineData("::1/128", "::1")]
    [InlineData("fd00::/8", "fd00::42")]
    public void AllowedNetwork_LetsItsAddressesThrough(string network, string address) =>
        Assert.Null(Guard(network).Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.0/8", "10.0.0.1")]
    [InlineData("127.0.0.0/8", "::1")]
    [InlineData("127.0.0.1/32", "127.0.0.2")]
    [InlineData("192.168.1.0/24", "192.168.2.1")]
    [InlineData("10.0.0.0/8", "169.254.169.254")]
    public void AllowedNetwork_AllowsNothingOutsideIt(string network, string address) =>
        Assert.NotNull(Guard(network).Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("not-a-network")]
    [InlineData("10.0.0.0/33")]
    [InlineData("300.1.1.1/8")]
    public async Task InvalidAllowedNetwork_StopsTheServerAtStartup_WithAMessageNamingTheSetting(string network)
    {
        var data = Directory.CreateTempSubdirectory("herald-guard").FullName;
        try
        {
            await using var herald = await HeraldProcess.StartAsync(
                data, new Dictionary<string, string> { ["Herald__Delivery__AllowedNetworks__0"] = network }, waitUntilHealthy: false);

            var exitCode = await herald.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(0, exitCode);
            Assert.Contains("Herald:Delivery:AllowedNetworks", herald.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static AddressGuard Guard(params string[] allowed) => new(Options.Create(new DeliveryOptions { AllowedNetworks = [.. allowed] }));

}
