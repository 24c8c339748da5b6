using System.Globalization;
using PrivacyPortal.Features.Policy;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>Each controller describes its security measures for the record of processing (Art. 30(1)(g)) in every language.</summary>
public sealed class SecurityMeasuresValidationTests
{
    [Fact]
    public void A_controller_without_security_measures_is_refused()
    {
        var json = InnoreWith(p => p.Controller(1).Remove("securityMeasures"));

        SingleError(json, "controllers[1].securityMeasures", "required field is missing");
    }

    [Theory]
    [InlineData("en")]
    [InlineData("nb")]
    [InlineData("et")]
    public void Security_measures_need_every_language(string culture)
    {
        var json = InnoreWith(p => p.Controller(0)["securityMeasures"]!.AsObject().Remove(culture));

        SingleError(json, $"controllers[0].securityMeasures.{culture}", $"missing translation for culture '{culture}'");
    }

    [Fact]
    public void A_placeholder_is_not_a_description_of_the_measures()
    {
        var json = InnoreWith(p => p.Controller(0)["securityMeasures"]!["nb"] = "TLS");

        SingleError(json, "controllers[0].securityMeasures.nb", "too short to describe the technical and organisational security measures", "3 characters, at least 40");
    }

    [Fact]
    public void Innore_describes_the_measures_of_both_companies_from_its_policy()
    {
        var policy = PolicyLoader.Parse(Innore().ToJsonString(), "innore.policy.json");

        foreach (var controller in policy.Controllers)
        {
            Assert.Contains("TLS/HTTPS", controller.SecurityMeasures.Get(CultureInfo.GetCultureInfo("en")), StringComparison.Ordinal);
            Assert.Contains("72 timer", controller.SecurityMeasures.Get(CultureInfo.GetCultureInfo("nb")), StringComparison.Ordinal);
            Assert.Contains("72 tunni", controller.SecurityMeasures.Get(CultureInfo.GetCultureInfo("et")), StringComparison.Ordinal);
        }

        Assert.Contains("Datatilsynet", policy.GetController("innore-no").SecurityMeasures.En, StringComparison.Ordinal);
        Assert.Contains("Andmekaitse Inspektsioon", policy.GetController("innore-ee").SecurityMeasures.En, StringComparison.Ordinal);
    }
}
