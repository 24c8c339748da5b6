using System.Globalization;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>Another company is another file: nothing Innore-specific lives in code.</summary>
public sealed class SecondPolicyTests
{
    [Fact]
    public void One_company_store_with_ten_year_accounting_retention_loads_from_its_own_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lanopro-{Guid.NewGuid():N}.policy.json");
        File.WriteAllText(path, new MinimalPolicy().Json());
        try
        {
            var catalog = PolicyLoader.Load(path);

            var lanopro = Assert.Single(catalog.Controllers);
            Assert.Equal("LanoPro", lanopro.LegalName);
            Assert.Same(lanopro, catalog.ControllerOf(catalog.GetStore("lanopro")));
            Assert.Empty(lanopro.Marketing.Consents);
            Assert.Null(lanopro.Marketing.Newsletter);

            var records = catalog.CalculateRetention("lanopro", "financial-records", new DateOnly(2024, 3, 10));
            Assert.Equal(new DateOnly(2034, 12, 31), records.Until);
            Assert.Equal("2034-12-31: 10 år etter regnskapsårets slutt (Regnskapsloven)", records.Explain(new CultureInfo("nb")));
            Assert.Equal(new DateOnly(2027, 3, 10), catalog.CalculateRetention("lanopro", "communications", new DateOnly(2024, 3, 10)).Until);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("2024-03-10", "2034-06-30")]
    [InlineData("2024-07-01", "2035-06-30")]
    public void Financial_year_ending_in_June_is_configuration(string orderDate, string until)
    {
        var catalog = PolicyLoader.Parse(new MinimalPolicy { FinancialYearEndMonth = 6, FinancialYearEndDay = 30 }.Json(), "june.policy.json");

        var end = catalog.CalculateRetention("lanopro", "financial-records", DateOnly.Parse(orderDate, CultureInfo.InvariantCulture));

        Assert.Equal(DateOnly.Parse(until, CultureInfo.InvariantCulture), end.Until);
    }
}
