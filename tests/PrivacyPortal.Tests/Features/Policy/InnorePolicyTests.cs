using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

public sealed class InnorePolicyTests
{
    private static readonly PolicyCatalog Catalog = PolicyLoader.Load(PolicyJson.InnorePath);

    [Fact]
    public void Loads_both_controllers_with_their_stores_and_authorities()
    {
        Assert.Equal("2026-05-01", Catalog.Revision);
        Assert.Equal(new DateOnly(2026, 5, 1), Catalog.EffectiveDate);

        var ee = Catalog.GetController("innore-ee");
        Assert.Equal("Innore OÜ", ee.LegalName);
        Assert.Equal("14079548", ee.RegistrationCode);
        Assert.Equal("EE", ee.Country);
        Assert.Equal("Andmekaitse Inspektsioon", Catalog.SupervisoryAuthorityOf(ee).Name.Get(new CultureInfo("et")));
        Assert.Equal(new Uri("https://www.aki.ee"), Catalog.SupervisoryAuthorityOf(ee).Web);

        var no = Catalog.GetController("innore-no");
        Assert.Equal("INNORE AS", no.LegalName);
        Assert.Equal("819 337 772", no.RegistrationCode);
        Assert.Equal("postkasse@datatilsynet.no", Catalog.SupervisoryAuthorityOf(no).Email);
        Assert.Equal("ee-aki", Assert.Single(no.OtherAuthorities).Authority);

        Assert.Same(ee, Catalog.ControllerOf(Catalog.GetStore("innore-eu")));
        Assert.Same(no, Catalog.ControllerOf(Catalog.GetStore("innore-no")));
        Assert.Equal(new Uri("https://www.innore.no"), Assert.Single(Catalog.StoresOf("innore-no")).Url);
    }

    [Theory]
    [InlineData("innore-ee", "orders", "2024-03-10", "2031-12-31")]
    [InlineData("innore-no", "orders", "2024-03-10", "2029-12-31")]
    [InlineData("innore-ee", "payment", "2024-12-31", "2031-12-31")]
    [InlineData("innore-no", "contract-invoicing", "2025-01-01", "2030-12-31")]
    [InlineData("innore-ee", "configurator-drawings", "2024-03-10", "2031-12-31")]
    [InlineData("innore-ee", "customer-account", "2024-03-10", "2027-03-10")]
    [InlineData("innore-no", "marketing", "2024-02-29", "2027-02-28")]
    [InlineData("innore-ee", "technical", "2024-03-10", "2026-05-10")]
    [InlineData("innore-no", "inquiries", "2024-01-31", "2025-01-31")]
    [InlineData("innore-ee", "complaints", "2024-03-10", "2027-03-10")]
    public void Retention_ends_follow_the_policy_table(string controller, string category, string from, string until)
    {
        var end = Catalog.CalculateRetention(controller, category, DateOnly.Parse(from, CultureInfo.InvariantCulture));

        Assert.Equal(DateOnly.Parse(until, CultureInfo.InvariantCulture), end.Until);
    }

    [Fact]
    public void Order_data_is_kept_under_each_country_accounting_law()
    {
        var ee = Catalog.CalculateRetention("innore-ee", "orders", new DateOnly(2024, 3, 10));
        var no = Catalog.CalculateRetention("innore-no", "orders", new DateOnly(2024, 3, 10));

        Assert.True(Catalog.GetCategory("innore-ee", "orders").LegalRetentionDuty);
        Assert.Equal("Estonian Accounting Act § 12", ee.Law!.Get(new CultureInfo("en")));
        Assert.Equal("raamatupidamise seadus § 12", ee.Law.Get(new CultureInfo("et")));
        Assert.Equal("bokføringsloven § 13", no.Law!.Get(new CultureInfo("nb")));
        Assert.Equal(
            "2029-12-31: 5 år etter utløpet av regnskapsåret da transaksjonen fant sted (bokføringsloven § 13)",
            no.Explain(new CultureInfo("nb-NO")));
    }

    [Fact]
    public void Only_data_under_a_law_is_kept_on_erasure()
    {
        var kept = Catalog.GetController("innore-ee").Categories.Where(c => c.LegalRetentionDuty).Select(c => c.Id);

        Assert.Equal(["orders", "payment", "contract-invoicing"], kept);
    }

    [Fact]
    public void Norwegian_data_goes_to_the_Estonian_parent_within_the_EEA()
    {
        var orders = Catalog.GetCategory("innore-no", "orders");

        var groupTransfer = Assert.Single(Catalog.TransfersOf(orders), t => t.IntraGroup);
        Assert.Equal("innore-ee", groupTransfer.ToController);
        Assert.Equal([TransferSafeguard.WithinEea], groupTransfer.Safeguards);
        Assert.Contains(Catalog.RecipientsOf(orders), r => r.Controller == "innore-ee");
        Assert.DoesNotContain(Catalog.TransfersOf(Catalog.GetCategory("innore-ee", "orders")), t => t.IntraGroup);
    }

    [Fact]
    public void Consumer_and_business_categories_name_purposes_with_their_legal_bases()
    {
        var ee = Catalog.GetController("innore-ee");

        Assert.Equal(
            ["identity", "contact", "orders", "payment", "configurator-drawings", "customer-account", "complaints", "warranty-cases", "marketing", "technical", "inquiries"],
            ee.Categories.Where(c => c.Subjects.Contains(SubjectKind.Consumer)).Select(c => c.Id));
        Assert.Equal(
            ["professional-identity", "professional-contact", "project-data", "contract-invoicing"],
            ee.Categories.Where(c => c.Subjects.SequenceEqual([SubjectKind.B2b])).Select(c => c.Id));

        var invoicing = Assert.Single(Catalog.PurposesOf(Catalog.GetCategory("innore-ee", "orders")), p => p.Id == "invoicing-accounting");
        Assert.Equal("Legal obligation (GDPR Art. 6(1)(c))", Assert.Single(Catalog.LegalBasesOf(invoicing)).Name.Get(new CultureInfo("en")));
    }

    [Fact]
    public void Cookie_categories_follow_section_10_and_only_necessary_ones_need_no_consent()
    {
        Assert.Equal(["necessary", "preferences", "analytics", "marketing"], Catalog.CookieCategories.Select(c => c.Id));
        Assert.Equal(["necessary"], Catalog.CookieCategories.Where(c => !c.ConsentRequired).Select(c => c.Id));
        Assert.Equal(730, Catalog.GetCookieCategory("analytics").MaxLifetimeDays);
        Assert.Equal("preferences", Catalog.Cookies.LanguagePreferenceCategory);
        Assert.Equal(12, Catalog.Cookies.ReconsentAfterMonths);
    }

    [Fact]
    public void Marketing_offers_newsletter_objection_channels_and_consents_per_controller()
    {
        foreach (var controller in Catalog.Controllers)
        {
            Assert.NotNull(controller.Marketing.Newsletter);
            Assert.Equal([MarketingChannel.Email, MarketingChannel.Sms, MarketingChannel.Phone], controller.Marketing.DirectMarketing!.Channels);
            Assert.Equal(["prospect-marketing", "personalised-ads"], controller.Marketing.Consents.Select(c => c.Id));
            Assert.Equal("marketing", Catalog.GetConsent(controller.Id, "personalised-ads").CookieCategory);
        }

        Assert.Contains("INNORE AS", Catalog.GetConsent("innore-no", "prospect-marketing").Text.Get(new CultureInfo("nb")), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_right_is_offered_with_one_month_to_answer_and_two_to_extend()
    {
        foreach (var controller in Catalog.Controllers)
        {
            Assert.Equal(Enum.GetValues<DataSubjectRight>(), controller.Rights.Offered);
            Assert.Equal(1, controller.Rights.AnswerWithinMonths);
            Assert.Equal(2, controller.Rights.MaxExtensionMonths);
        }
    }

    [Fact]
    public void Every_person_facing_text_is_written_in_english_norwegian_and_estonian()
    {
        var texts = TextsIn(Catalog.Document, "policy").ToList();

        // Every text object in the file reached the model: none was dropped on the way.
        Assert.Equal(TextObjectsIn(PolicyJson.Innore()), texts.Count);
        foreach (var (path, text) in texts)
        {
            foreach (var culture in LocalizedText.RequiredCultures)
            {
                Assert.False(string.IsNullOrWhiteSpace(text.Texts.GetValueOrDefault(culture)), $"{path} has no '{culture}' text");
            }

            // A copied English text is a missing translation in disguise.
            Assert.True(text.Texts["nb"] != text.Texts["en"], $"{path}: nb is the English text '{text.Texts["en"]}'");
            Assert.True(text.Texts["et"] != text.Texts["en"], $"{path}: et is the English text '{text.Texts["en"]}'");
        }
    }

    [Fact]
    public void Lookups_of_unknown_ids_say_what_is_missing()
    {
        Assert.Null(Catalog.FindController("innore-se"));
        Assert.Null(Catalog.FindCategory("innore-ee", "horoscope"));
        var error = Assert.Throws<KeyNotFoundException>(() => Catalog.GetStore("innore-se"));
        Assert.Contains("store 'innore-se'", error.Message, StringComparison.Ordinal);
    }

    private static int TextObjectsIn(JsonNode? node) => node switch
    {
        JsonObject o when o.ContainsKey("en") => 1,
        JsonObject o => o.Sum(p => TextObjectsIn(p.Value)),
        JsonArray a => a.Sum(TextObjectsIn),
        _ => 0,
    };

    private static IEnumerable<(string Path, LocalizedText Text)> TextsIn(object? value, string path)
    {
        switch (value)
        {
            case LocalizedText text:
                yield return (path, text);
                break;
            case null or string or Uri or Enum or DateOnly or ValueType:
                break;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list)
                {
                    foreach (var found in TextsIn(item, $"{path}[{i++}]"))
                    {
                        yield return found;
                    }
                }

                break;
            default:
                foreach (var property in value.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
                {
                    foreach (var found in TextsIn(property.GetValue(value), $"{path}.{property.Name}"))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }
}
