using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>Each company names the zone its customers' times are shown in (controllers[].timeZone).</summary>
public sealed class TimeZoneValidationTests
{
    [Theory]
    [InlineData("Europe/Nowhere")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("+01:00")]
    public void A_zone_that_is_not_an_iana_id_is_refused(string zone)
    {
        var json = InnoreWith(p => p.Controller(0)["timeZone"] = zone);

        SingleError(json, "controllers[0].timeZone", $"'{zone}' is not an IANA time zone id");
    }

    [Fact]
    public void Innore_shows_estonian_and_norwegian_times()
    {
        var policy = PrivacyPortal.Features.Policy.PolicyLoader.Parse(Innore().ToJsonString(), "innore.policy.json");

        Assert.Equal("Europe/Tallinn", policy.GetController("innore-ee").TimeZone);
        Assert.Equal("Europe/Oslo", policy.GetController("innore-no").TimeZone);
    }
}
