using System.Globalization;
using AngleSharp.Dom;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

/// <summary>my-data opens with what a person wants to know first: what each company holds, how much, and when the first of it goes.</summary>
public sealed class OverviewTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Fact]
    public async Task The_overview_gives_per_company_the_categories_counts_in_real_plurals_and_the_next_deletion_date()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await client.GetPageAsync("/nb/my-data");

        var overview = page.QuerySelector("#overview")!;
        // It comes before everything else the page shows about the data.
        Assert.Same(overview, page.QuerySelector("main section, main details"));
        var companies = overview.QuerySelectorAll(".overview__company").ToList();
        Assert.Equal(["Innore OÜ", "INNORE AS"], companies.Select(c => c.QuerySelector("h3")!.TextContent.Trim()));

        // One drawing at the Estonian parent: kept 7 years after its financial year.
        Assert.Equal(
            "Vi har 1 registrering om deg i 1 kategori. Neste sletting er 31.12.2031 (Konfiguratortegninger og tekniske spesifikasjoner).",
            Squeeze(companies[0].QuerySelector("p")!.TextContent));
        // Orders of 2021 at INNORE AS: 5 years after the accounting year, so the end of 2026.
        Assert.Equal(
            "Vi har 15 registreringer om deg i 7 kategorier. Neste sletting er 31.12.2026 (Ordreopplysninger).",
            Squeeze(companies[1].QuerySelector("p")!.TextContent));

        var items = companies[1].QuerySelectorAll("li").ToList();
        Assert.Equal(7, items.Count);
        var orders = items.Single(i => i.QuerySelector("a")!.GetAttribute("href") == "#innore-no-orders");
        Assert.Equal("Ordreopplysninger 5 registreringer · neste sletting 31.12.2026", Squeeze(orders.TextContent));
        var contact = items.Single(i => i.QuerySelector("a")!.GetAttribute("href") == "#innore-no-contact");
        Assert.Equal("Kontaktopplysninger 1 registrering · lagres så lenge du er kunde hos oss", Squeeze(contact.TextContent));

        // Every link leads to a category on the page.
        Assert.All(overview.QuerySelectorAll("li a"), a => Assert.NotNull(page.GetElementById(a.GetAttribute("href")![1..])));
    }

    [Fact]
    public async Task Each_categorys_next_deletion_is_the_earliest_deleted_on_date_of_its_records()
    {
        var client = await portal.SignInAsync("ola.hansen@bygg.example.no", "nb");
        var page = await client.GetPageAsync("/nb/my-data");

        var dated = 0;
        foreach (var category in page.QuerySelectorAll("details.category[id^='innore-']"))
        {
            var rows = category.QuerySelectorAll("tbody tr").Select(r => r.Children[2].TextContent.Trim()).ToList();
            var first = category.QuerySelector("summary .first-deletion")!.TextContent.Trim();
            var dates = rows.Where(d => d.Length == 10).Select(d => DateOnly.ParseExact(d, "dd.MM.yyyy", CultureInfo.InvariantCulture)).ToList();
            if (dates.Count == 0)
            {
                Assert.Equal("lagres så lenge du er kunde hos oss", first);
                continue;
            }

            dated++;
            Assert.Equal($"neste sletting {dates.Min():dd.MM.yyyy}", first);
            var link = page.QuerySelector($"#overview a[href='#{category.Id}']")!.ParentElement!;
            Assert.Contains(dates.Min().ToString("dd.MM.yyyy", CultureInfo.InvariantCulture), link.TextContent, StringComparison.Ordinal);
        }

        Assert.True(dated > 0);
    }

    [Fact]
    public async Task Categories_are_folded_and_the_one_being_paged_through_is_open()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "en");
        var page = await client.GetPageAsync("/en/my-data");
        var categories = page.QuerySelectorAll("section.controller details.category").ToList();
        Assert.Equal(8, categories.Count);
        Assert.All(categories, c => Assert.False(c.HasAttribute("open"), c.Id));
        Assert.Equal("Order data 5 records", Squeeze(page.QuerySelector("#innore-no-orders > summary h3")!.TextContent));

        var paged = await client.GetPageAsync("/en/my-data?category=innore-no%2Forders&p=1");
        Assert.True(paged.QuerySelector("#innore-no-orders")!.HasAttribute("open"));
        Assert.Single(paged.QuerySelectorAll("details.category[open]"));

        // A category or page that does not exist opens nothing and breaks nothing.
        foreach (var query in new[] { "?category=nope%2Fnothing&p=2", "?category=innore-no%2Forders&p=-4", "?category=&p=abc", "?p=99999999999" })
        {
            var odd = await client.GetPageAsync("/en/my-data" + query);
            Assert.NotNull(odd.QuerySelector("#overview"));
        }
    }

    [Fact]
    public async Task Legal_bases_are_plain_sentences_with_the_article_smaller_and_a_way_to_object()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "en");
        var page = await client.GetPageAsync("/en/my-data");
        var orders = page.QuerySelector("#innore-no-orders")!;
        var bases = orders.QuerySelectorAll(".bases > li").ToDictionary(li => li.GetAttribute("data-basis")!);

        Assert.Equal(["Contract", "LegalObligation", "LegitimateInterests"], bases.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("Because you bought from us", bases["Contract"].QuerySelector("strong")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Performance of a contract (GDPR Art. 6(1)(b))", bases["Contract"].QuerySelector("small")!.TextContent);
        Assert.StartsWith("Because the law makes us keep it, for example for bookkeeping.", bases["LegalObligation"].TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Art. 6(1)(c)", bases["LegalObligation"].QuerySelector("small")!.TextContent, StringComparison.Ordinal);
        Assert.Null(bases["Contract"].QuerySelector("a"));

        var objection = bases["LegitimateInterests"].QuerySelector("a")!;
        Assert.Equal("/en/requests/new?kind=Objection&purpose=innore-no%2Flegal-claims", objection.GetAttribute("href"));

        // The consent behind analytics is withdrawn where it was given: the preferences page.
        var contact = page.QuerySelector("#innore-no-contact")!;
        var marketing = contact.QuerySelector(".bases > li[data-basis='LegitimateInterests']")!;
        Assert.Contains(marketing.QuerySelectorAll("a"), a => a.GetAttribute("href") == "/en/preferences");
    }

    [Theory]
    [InlineData("nb", "Fordi du har kjøpt av oss", "Protester mot dette")]
    [InlineData("et", "Kuna te ostsite meilt", "Esitage vastuväide")]
    public async Task Legal_bases_speak_the_language_of_the_page(string culture, string contract, string objectLink)
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", culture);
        var page = await client.GetPageAsync($"/{culture}/my-data");
        var orders = page.QuerySelector("#innore-no-orders")!;
        Assert.Contains(contract, orders.QuerySelector(".bases")!.TextContent, StringComparison.Ordinal);
        Assert.StartsWith(objectLink, orders.QuerySelector(".bases a")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Because", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("MyData.", page.Body!.TextContent, StringComparison.Ordinal);
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
