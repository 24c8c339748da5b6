using System.Globalization;
using AngleSharp.Dom;
using PrivacyPortal.Infrastructure.Localization;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Localization;

/// <summary>Counts read as the language says them: "1 registrering", "5 registreringer", never "registrering(er)".</summary>
public sealed class PluralsTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    private static readonly string[] PluralKeys = ["MyData.Records", "MyData.ShowAll", "MyData.Overview.InCategories", "Login.CodeWrong", "Plan.Records"];

    [Theory]
    [InlineData("en", 0, PluralCategory.Other)]
    [InlineData("en", 1, PluralCategory.One)]
    [InlineData("en", 2, PluralCategory.Other)]
    [InlineData("nb", 1, PluralCategory.One)]
    [InlineData("nb", 5, PluralCategory.Other)]
    [InlineData("nb", 0, PluralCategory.Other)]
    [InlineData("et", 1, PluralCategory.One)]
    [InlineData("et", 21, PluralCategory.Other)]
    [InlineData("et", 11, PluralCategory.Other)]
    public void Cldr_categories_for_whole_numbers(string culture, long count, PluralCategory expected)
    {
        Assert.Equal(expected, Plurals.CategoryOf(count, CultureInfo.GetCultureInfo(culture)));
    }

    [Theory]
    [InlineData("nb", "1 registrering", "5 registreringer")]
    [InlineData("et", "1 kirje", "5 kirjet")]
    [InlineData("en", "1 record", "5 records")]
    public async Task My_data_counts_a_category_with_the_right_form(string culture, string one, string five)
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", culture);
        var page = await client.GetPageAsync($"/{culture}/my-data");

        var tags = page.QuerySelectorAll("h3 .tag").Select(t => t.TextContent.Trim()).ToList();

        Assert.Equal(five, Tag(page, "#innore-no-orders"));
        Assert.Contains(one, tags);
        Assert.DoesNotContain(tags, t => t.Contains('(', StringComparison.Ordinal));
    }

    [Fact]
    public void Every_plural_key_has_both_forms_in_every_language()
    {
        var folder = Path.Combine(PrivacyPortal.Testing.Infrastructure.RepositoryPaths.Root, "localization");
        foreach (var file in Directory.GetFiles(folder, "*.resx"))
        {
            var keys = System.Xml.Linq.XDocument.Load(file).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
            foreach (var key in PluralKeys.Where(k => keys.Contains(k + ".Other") || keys.Contains(k + ".One")))
            {
                Assert.Contains(key + ".One", keys);
                Assert.Contains(key + ".Other", keys);
            }

            // Forms in brackets are what this replaced on the person's pages (staff pages keep some).
            if (Path.GetFileName(file).StartsWith("Staff", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            Assert.DoesNotContain("registrering(er)", text, StringComparison.Ordinal);
            Assert.DoesNotContain("kirje(t)", text, StringComparison.Ordinal);
            Assert.DoesNotContain("{0} record(s)", text, StringComparison.Ordinal);
        }
    }

    private static string Tag(IDocument page, string category) => page.QuerySelector($"{category} h3 .tag")!.TextContent.Trim();
}
