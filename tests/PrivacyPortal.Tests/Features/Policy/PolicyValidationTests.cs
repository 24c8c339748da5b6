using System.Text.Json.Nodes;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>Each kind of mistake in a policy file gets its own message, at the path of the field to fix.</summary>
public sealed class PolicyValidationTests
{
    [Fact]
    public void Invalid_json_names_the_file_line_and_position()
    {
        var json = InnoreWith(_ => { });
        var lines = json.Split('\n');
        lines[2] = lines[2].Replace(",", string.Empty, StringComparison.Ordinal);   // drop the comma after the second field
        var exception = ParseFails(string.Join('\n', lines), "innore.policy.json");

        var error = Assert.Single(exception.Errors);
        Assert.Equal("$", error.Path);
        Assert.Equal("innore.policy.json", error.File);
        Assert.StartsWith("invalid JSON at line 4, position", error.Problem, StringComparison.Ordinal);
        Assert.StartsWith("Policy file 'innore.policy.json' is invalid (1 problem):", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_field()
    {
        var json = InnoreWith(p => p.Category(1, 3).Remove("retention"));

        SingleError(json, "controllers[1].categories[3].retention", "required field is missing");
    }

    [Fact]
    public void Missing_required_list()
    {
        var json = InnoreWith(p => p.Remove("stores"));

        SingleError(json, "stores", "required field is missing");
    }

    [Theory]
    [InlineData("retention", "ee-acounting-7y", "unknown retention rule 'ee-acounting-7y'; defined: ee-accounting-7y, no-bookkeeping-5y")]
    [InlineData("purposes", "horoscopes", "unknown purpose 'horoscopes'; defined: order-fulfilment, delivery")]
    [InlineData("recipients", "data-brokers", "unknown recipient 'data-brokers'; defined: logistics")]
    [InlineData("transfers", "to-the-moon", "unknown transfer 'to-the-moon'; defined: innore-no-to-innore-ee, outside-eea-providers")]
    [InlineData("cookieCategories", "tracking", "unknown cookie category 'tracking'; defined: necessary, preferences, analytics, marketing")]
    public void Category_reference_to_an_unknown_id(string field, string id, string problem)
    {
        var json = InnoreWith(p =>
        {
            var category = p.Category(0, 2);
            category[field] = field == "retention" ? id : new JsonArray(id);
        });

        SingleError(json, field == "retention" ? "controllers[0].categories[2].retention" : $"controllers[0].categories[2].{field}[0]", problem);
    }

    [Theory]
    [InlineData("[]", "controllers[0].categories[2].anonymisation.keepFields", "must list at least 1 item")]
    [InlineData("[\"product\", \"product\"]", "controllers[0].categories[2].anonymisation.keepFields[1]", "'product' is listed twice")]
    [InlineData("[\"\"]", "controllers[0].categories[2].anonymisation.keepFields[0]", "expected an id (a non-empty string), found")]
    public void Anonymisation_must_name_the_fields_it_keeps(string keepFields, string path, string problem)
    {
        var json = InnoreWith(p => p.Category(0, 2)["anonymisation"] = new JsonObject { ["keepFields"] = JsonNode.Parse(keepFields) });

        SingleError(json, path, problem);
    }

    [Fact]
    public void Anonymisation_without_its_fields_is_refused()
    {
        var json = InnoreWith(p => p.Category(0, 2)["anonymisation"] = new JsonObject());

        SingleError(json, "controllers[0].categories[2].anonymisation.keepFields", "required field is missing");
    }

    [Fact]
    public void Store_of_an_unknown_controller()
    {
        var json = InnoreWith(p => p.Item("stores", 1)["controller"] = "innore-se");

        SingleError(json, "stores[1].controller", "unknown controller 'innore-se'; defined: innore-ee, innore-no");
    }

    [Fact]
    public void Unknown_supervisory_authority_and_legal_basis()
    {
        var json = InnoreWith(p =>
        {
            p.Controller(1)["supervisoryAuthority"] = "datatilsynet";
            p.Item("purposes", 0)["legalBases"] = new JsonArray("contract", "whim");
        });

        var errors = ParseFails(json).Errors.Select(e => $"{e.Path}: {e.Problem}").ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("purposes[0].legalBases[1]: unknown legal basis 'whim'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("controllers[1].supervisoryAuthority: unknown authority 'datatilsynet'; defined: ee-aki, no-datatilsynet", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_category_id_within_a_controller()
    {
        var json = InnoreWith(p => p.Category(0, 3)["id"] = "orders");

        SingleError(json, "controllers[0].categories[3].id", "duplicate id 'orders'; already used by controllers[0].categories[2]");
    }

    [Fact]
    public void Duplicate_top_level_id()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 1)["id"] = "ee-accounting-7y");

        // The rule that lost its id is no longer defined, so the categories using it fail too: every
        // message points somewhere useful, the duplicate first.
        var exception = ParseFails(json);
        Assert.Equal("retentionRules[1].id", exception.Errors[0].Path);
        Assert.Equal("duplicate id 'ee-accounting-7y'; already used by retentionRules[0]", exception.Errors[0].Problem);
        Assert.All(exception.Errors.Skip(1), e => Assert.Contains("unknown retention rule 'no-bookkeeping-5y'", e.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Same_category_id_at_two_controllers_is_fine()
    {
        Assert.Equal("orders", PrivacyPortal.Features.Policy.PolicyLoader.Load(InnorePath).GetCategory("innore-no", "orders").Id);
    }

    [Theory]
    [InlineData("et")]
    [InlineData("nb")]
    [InlineData("en")]
    public void Missing_translation(string culture)
    {
        var json = InnoreWith(p => p.Category(1, 3)["name"]!.AsObject().Remove(culture));

        SingleError(json, $"controllers[1].categories[3].name.{culture}", $"missing translation for culture '{culture}'");
    }

    [Fact]
    public void Empty_translation_and_unknown_culture()
    {
        var json = InnoreWith(p =>
        {
            p.Item("purposes", 0)["name"]!["nb"] = " ";
            p.Item("purposes", 1)["name"]!["fi"] = "Toimitus";
        });

        var errors = ParseFails(json).Errors;
        Assert.Equal(2, errors.Count);
        Assert.Equal("purposes[0].name.nb", errors[0].Path);
        Assert.StartsWith("the 'nb' text must be a non-empty string", errors[0].Problem, StringComparison.Ordinal);
        Assert.Equal("purposes[1].name.fi", errors[1].Path);
        Assert.Equal("unknown culture 'fi'; texts are given in en, nb, et", errors[1].Problem);
    }

    [Fact]
    public void Text_given_as_a_plain_string()
    {
        var json = InnoreWith(p => p.Item("recipients", 0)["description"] = "Carriers");

        SingleError(json, "recipients[0].description", "expected an object with a text for each of en, nb, et, found the string 'Carriers'");
    }

    [Fact]
    public void Negative_years()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 0)["years"] = -7);

        SingleError(json, "retentionRules[0].years", "must not be negative, was -7");
    }

    [Fact]
    public void Years_as_text()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 0)["years"] = "seven");

        SingleError(json, "retentionRules[0].years", "expected a whole number, found the string 'seven'");
    }

    [Fact]
    public void Ends_on_withdrawal_as_text()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 0)["endsOnWithdrawal"] = "yes");

        SingleError(json, "retentionRules[0].endsOnWithdrawal", "expected true or false, found the string 'yes'");
    }

    [Fact]
    public void Legal_obligation_as_the_erasure_ground_of_a_category_without_a_legal_retention_duty()
    {
        var json = InnoreWith(p => p.Category(0, 4)["erasureGround"] = "legalObligation");   // innore-ee configurator-drawings

        SingleError(json, "controllers[0].categories[4].erasureGround", "only where the category is kept under a legal retention duty", "propose 'legalClaims'");
    }

    [Fact]
    public void An_erasure_ground_that_is_not_one_of_art_17_3()
    {
        var json = InnoreWith(p => p.Category(0, 2)["erasureGround"] = "publicInterest");

        SingleError(json, "controllers[0].categories[2].erasureGround", "is not a valid value; expected one of: legalObligation, legalClaims");
    }

    [Fact]
    public void Without_an_erasure_ground_the_policy_proposes_legal_obligation_only_under_a_legal_duty()
    {
        var catalog = PrivacyPortal.Features.Policy.PolicyLoader.Parse(InnoreWith(p =>
        {
            p.Category(0, 2).Remove("erasureGround");   // orders: a legal duty
            p.Category(0, 4).Remove("erasureGround");   // configurator drawings: none
        }), "innore.policy.json");

        Assert.Equal(PrivacyPortal.Features.Policy.ErasureGround.LegalObligation, catalog.GetCategory("innore-ee", "orders").ProposedErasureGround);
        Assert.Equal(PrivacyPortal.Features.Policy.ErasureGround.LegalClaims, catalog.GetCategory("innore-ee", "configurator-drawings").ProposedErasureGround);
    }

    [Fact]
    public void Length_that_does_not_fit_the_kind()
    {
        var json = InnoreWith(p =>
        {
            var rule = p.Item("retentionRules", 4);   // analytics-26m, kind "months"
            rule.Remove("months");
            rule["years"] = 2;
        });

        var errors = ParseFails(json).Errors;
        Assert.Equal(["retentionRules[4].months: required for kind 'months'", "retentionRules[4].years: does not apply to kind 'months'; use 'months'"], errors.Select(e => $"{e.Path}: {e.Problem}"));
    }

    [Fact]
    public void Answer_deadline_beyond_the_law()
    {
        var json = InnoreWith(p => p.Controller(0)["rights"]!["maxExtensionMonths"] = 3);

        SingleError(json, "controllers[0].rights.maxExtensionMonths", "must be at most 2, was 3");
    }

    [Fact]
    public void Invalid_enum_value()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 0)["kind"] = "decades");

        SingleError(json, "retentionRules[0].kind", "'decades' is not a valid value; expected one of: financialYear, years, months");
    }

    [Fact]
    public void Invalid_enum_value_in_a_list()
    {
        var json = InnoreWith(p => p.Controller(0)["marketing"]!["directMarketing"]!["channels"] = new JsonArray("email", "pigeon"));

        SingleError(json, "controllers[0].marketing.directMarketing.channels[1]", "'pigeon' is not a valid value; expected one of: email, sms, phone, post");
    }

    [Theory]
    [InlineData("email", "info(at)innore.eu")]
    [InlineData("privacyEmail", "Innore <info@innore.eu>")]
    [InlineData("email", "info@localhost")]
    public void Invalid_email(string field, string email)
    {
        var json = InnoreWith(p => p.Controller(0)[field] = email);

        SingleError(json, $"controllers[0].{field}", $"'{email}' is not a valid email address");
    }

    [Theory]
    [InlineData("www.innore.no")]
    [InlineData("ftp://innore.no")]
    [InlineData("/innore")]
    public void Invalid_url(string url)
    {
        var json = InnoreWith(p => p.Item("stores", 1)["url"] = url);

        SingleError(json, "stores[1].url", $"'{url}' is not an absolute http(s) URL");
    }

    [Fact]
    public void Invalid_country_and_phone()
    {
        var json = InnoreWith(p =>
        {
            p.Controller(1)["country"] = "Norway";
            p.Controller(1)["phone"] = "40342841";
        });

        var errors = ParseFails(json).Errors;
        Assert.Equal(["controllers[1].country", "controllers[1].phone"], errors.Select(e => e.Path));
        Assert.StartsWith("'Norway' is not an ISO 3166-1 alpha-2 country code", errors[0].Problem, StringComparison.Ordinal);
        Assert.StartsWith("'40342841' is not an international phone number", errors[1].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_financial_year_end()
    {
        var json = InnoreWith(p => p.Controller(0)["financialYearEnd"] = new JsonObject { ["month"] = 6, ["day"] = 31 });

        SingleError(json, "controllers[0].financialYearEnd.day", "month 6 has no day 31");
    }

    [Fact]
    public void Unknown_cookie_category_for_the_language_cookie_and_a_consent()
    {
        var json = InnoreWith(p =>
        {
            p["cookies"]!["languagePreferenceCategory"] = "preference";
            p.Controller(1)["marketing"]!["consents"]![1]!["cookieCategory"] = "ads";
        });

        var errors = ParseFails(json).Errors.Select(e => $"{e.Path}: {e.Problem}");
        Assert.Equal(
            [
                "cookies.languagePreferenceCategory: unknown cookie category 'preference'; defined: necessary, preferences, analytics, marketing",
                "controllers[1].marketing.consents[1].cookieCategory: unknown cookie category 'ads'; defined: necessary, preferences, analytics, marketing",
            ],
            errors);
    }

    [Fact]
    public void Consent_for_a_cookie_category_that_needs_none()
    {
        var json = InnoreWith(p => p.Controller(0)["marketing"]!["consents"]![1]!["cookieCategory"] = "necessary");

        SingleError(json, "controllers[0].marketing.consents[1].cookieCategory", "cookie category 'necessary' needs no consent");
    }

    [Fact]
    public void Customer_category_of_direct_marketing_that_the_controller_does_not_have()
    {
        var json = InnoreWith(p => p.Controller(1)["marketing"]!["directMarketing"]!["customerCategories"]![1] = "purchases");

        SingleError(json, "controllers[1].marketing.directMarketing.customerCategories[1]", "unknown category of this controller 'purchases'");
    }

    [Fact]
    public void Consent_whose_purpose_does_not_rest_on_consent()
    {
        var json = InnoreWith(p => p.Controller(0)["marketing"]!["consents"]![0]!["purpose"] = "direct-marketing-customers");

        SingleError(json, "controllers[0].marketing.consents[0].purpose", "purpose 'direct-marketing-customers' must rest on a consent basis");
    }

    [Fact]
    public void Legal_retention_duty_without_a_law()
    {
        var json = InnoreWith(p => p.Item("retentionRules", 0).Remove("law"));

        var exception = ParseFails(json);
        Assert.All(exception.Errors, e => Assert.Contains("retention rule 'ee-accounting-7y' must name the law", e.Problem, StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Path == "controllers[0].categories[2].retention");
    }

    [Fact]
    public void Transfer_claimed_within_the_EEA_to_a_third_country()
    {
        var json = InnoreWith(p =>
        {
            var transfer = p.Item("transfers", 1);
            transfer["country"] = "US";
            transfer["safeguards"] = new JsonArray("withinEea");
        });

        SingleError(json, "transfers[1].safeguards", "'withinEea' does not hold: 'US' is not in the EU/EEA");
    }

    [Fact]
    public void Unknown_field_is_reported_rather_than_ignored()
    {
        var json = InnoreWith(p => p.Category(0, 0)["retension"] = "customer-relationship-3y");

        SingleError(json, "controllers[0].categories[0].retension", "unknown field; expected one of: id, name, description");
    }

    [Fact]
    public void Wrong_shape_is_named()
    {
        var json = InnoreWith(p => p["controllers"]![0] = "innore-ee");

        // The stores and transfers pointing at the lost controller are reported as well.
        var exception = ParseFails(json);
        Assert.Equal("controllers[0]", exception.Errors[0].Path);
        Assert.Equal("expected an object, found the string 'innore-ee'", exception.Errors[0].Problem);
    }

    [Fact]
    public void All_problems_are_listed_in_one_message_with_the_file_name()
    {
        var json = InnoreWith(p =>
        {
            p.Category(1, 3).Remove("retention");
            p.Item("retentionRules", 0)["years"] = -7;
            p.Item("stores", 0)["url"] = "innore.eu";
        });

        var exception = ParseFails(json, "/srv/portal/Policies/innore.policy.json");

        Assert.Equal(3, exception.Errors.Count);
        Assert.All(exception.Errors, e => Assert.Equal("/srv/portal/Policies/innore.policy.json", e.File));
        Assert.Equal(
            """
            Policy file '/srv/portal/Policies/innore.policy.json' is invalid (3 problems):
              - retentionRules[0].years: must not be negative, was -7
              - controllers[1].categories[3].retention: required field is missing
              - stores[0].url: 'innore.eu' is not an absolute http(s) URL (e.g. 'https://www.aki.ee')
            """.ReplaceLineEndings(),
            exception.Message.ReplaceLineEndings());
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.policy.json");

        var exception = Assert.Throws<PrivacyPortal.Features.Policy.PolicyValidationException>(() => PrivacyPortal.Features.Policy.PolicyLoader.Load(path));

        Assert.Equal(path, exception.File);
        Assert.Contains("does not exist", Assert.Single(exception.Errors).Problem, StringComparison.Ordinal);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }
}
