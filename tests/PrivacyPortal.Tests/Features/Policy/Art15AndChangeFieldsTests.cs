using System.Text.Json.Nodes;
using PrivacyPortal.Features.Policy;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>The policy fields behind the Art. 15 answer (source, automated decisions) and behind notice of a material change.</summary>
public sealed class Art15AndChangeFieldsTests
{
    private static JsonObject MaterialChange() => new()
    {
        ["material"] = true,
        ["summary"] = Text("We add a new carrier", "Vi tar i bruk en ny transportør", "Lisame uue vedaja"),
        ["previousRevision"] = "2026-05-01",
        ["previousEffectiveDate"] = "2026-05-01",
    };

    [Fact]
    public void Every_category_and_company_of_the_shipped_policy_carries_them_in_every_language()
    {
        var policy = PolicyLoader.Load(InnorePath);
        foreach (var controller in policy.Controllers)
        {
            Assert.All(LocalizedText.RequiredCultures, c => Assert.NotEmpty(controller.AutomatedDecisions.Texts[c]));
            Assert.All(controller.Categories, category =>
                Assert.All(LocalizedText.RequiredCultures, c => Assert.NotEmpty(category.Source.Texts[c])));
        }

        Assert.Equal(30, policy.Document.ChangeNoticeDays);
        Assert.Null(policy.Document.Change);
    }

    [Fact]
    public void A_category_without_a_source_is_refused()
    {
        var json = InnoreWith(p => p.Category(1, 2).Remove("source"));

        SingleError(json, "controllers[1].categories[2].source", "required field is missing");
    }

    [Fact]
    public void A_source_missing_a_language_is_refused()
    {
        var json = InnoreWith(p => p.Category(0, 0)["source"] = new JsonObject { ["en"] = "From you", ["nb"] = "Fra deg" });

        SingleError(json, "controllers[0].categories[0].source.et", "missing translation for culture 'et'");
    }

    [Fact]
    public void A_company_without_an_automated_decisions_statement_is_refused()
    {
        var json = InnoreWith(p => p.Controller(0).Remove("automatedDecisions"));

        SingleError(json, "controllers[0].automatedDecisions", "required field is missing");
    }

    [Fact]
    public void A_material_change_is_read_with_its_summary_and_previous_revision()
    {
        var json = InnoreWith(p =>
        {
            p["revision"] = "2027-02-01";
            p["effectiveDate"] = "2027-02-01";
            p["change"] = MaterialChange();
        });

        var policy = PolicyLoader.Parse(json, "innore.policy.json");

        var change = policy.Document.Change!;
        Assert.True(change.Material);
        Assert.Equal("Vi tar i bruk en ny transportør", change.Summary.Texts["nb"]);
        var before = policy.RevisionsOn(new DateOnly(2027, 1, 31));
        Assert.Equal(new PolicyRevisionInfo("2026-05-01", new DateOnly(2026, 5, 1)), before.InForce);
        Assert.Equal(new PolicyRevisionInfo("2027-02-01", new DateOnly(2027, 2, 1)), before.Coming);
        var after = policy.RevisionsOn(new DateOnly(2027, 2, 1));
        Assert.Equal(new PolicyRevisionInfo("2027-02-01", new DateOnly(2027, 2, 1)), after.InForce);
        Assert.Null(after.Coming);
    }

    [Fact]
    public void A_material_change_needs_the_notice_period()
    {
        var json = InnoreWith(p =>
        {
            p["revision"] = "2027-02-01";
            p["effectiveDate"] = "2027-02-01";
            p.Remove("changeNoticeDays");
            p["change"] = MaterialChange();
        });

        SingleError(json, "changeNoticeDays", "required when 'change.material' is true");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(366)]
    public void The_notice_period_is_a_number_of_days_within_a_year(int days)
    {
        var json = InnoreWith(p => p["changeNoticeDays"] = days);

        SingleError(json, "changeNoticeDays");
    }

    [Fact]
    public void A_change_cannot_replace_itself()
    {
        var json = InnoreWith(p =>
        {
            p["change"] = MaterialChange();
            p["change"]!["previousRevision"] = "2026-05-01";
            p["change"]!["previousEffectiveDate"] = "2026-04-01";
        });

        SingleError(json, "change.previousRevision", "'2026-05-01' is this revision");
    }

    [Fact]
    public void The_previous_revision_must_have_taken_effect_before_this_one()
    {
        var json = InnoreWith(p =>
        {
            p["revision"] = "2027-02-01";
            p["effectiveDate"] = "2027-02-01";
            p["change"] = MaterialChange();
            p["change"]!["previousEffectiveDate"] = "2027-03-01";
        });

        SingleError(json, "change.previousEffectiveDate", "2027-03-01 is not before this revision's effectiveDate 2027-02-01");
    }

    [Fact]
    public void A_change_needs_its_summary()
    {
        var json = InnoreWith(p =>
        {
            p["revision"] = "2027-02-01";
            p["effectiveDate"] = "2027-02-01";
            p["change"] = MaterialChange();
            p["change"]!.AsObject().Remove("summary");
        });

        SingleError(json, "change.summary", "required field is missing");
    }
}
