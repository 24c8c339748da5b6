using System.Globalization;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

public sealed class LocalizedTextTests
{
    private static readonly LocalizedText Orders = new(new Dictionary<string, string>
    {
        ["en"] = "Order data",
        ["nb"] = "Ordreopplysninger",
        ["et"] = "Tellimuste andmed",
    });

    [Theory]
    [InlineData("en", "Order data")]
    [InlineData("en-GB", "Order data")]
    [InlineData("nb", "Ordreopplysninger")]
    [InlineData("nb-NO", "Ordreopplysninger")]
    [InlineData("no", "Ordreopplysninger")]
    [InlineData("nn-NO", "Ordreopplysninger")]
    [InlineData("et-EE", "Tellimuste andmed")]
    [InlineData("fi-FI", "Order data")]
    [InlineData("", "Order data")]
    public void Picks_the_culture_or_its_parent_and_falls_back_to_english(string culture, string expected)
    {
        Assert.Equal(expected, Orders.Get(new CultureInfo(culture)));
    }
}
