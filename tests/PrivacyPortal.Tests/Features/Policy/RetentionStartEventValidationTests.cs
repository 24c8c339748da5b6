using System.Text.Json.Nodes;
using PrivacyPortal.Features.Policy;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>
/// A retention rule counts from an event its kind allows, with the settings that event needs; the
/// portal's own records each have exactly one rule, with their fixed start event and action.
/// </summary>
public sealed class RetentionStartEventValidationTests
{
    // In MinimalPolicy: retentionRules[0] financialYear/transaction, [1] years/lastActivity, [2] years/lastContact.
    private static string MinimalWith(Action<JsonObject> change)
    {
        var policy = new MinimalPolicy().Build();
        change(policy);
        return policy.ToJsonString();
    }

    [Fact]
    public void The_minimal_policy_passes()
    {
        var catalog = PolicyLoader.Parse(new MinimalPolicy().Json(), "lanopro.policy.json");

        Assert.Equal(RetentionAnchor.Transaction, catalog.GetRetentionRule("accounting").CountsFrom);
        Assert.Equal(7, catalog.Document.PortalRecords.Count);
    }

    [Theory]
    [InlineData("lastActivity")]
    [InlineData("lastContact")]
    [InlineData("collection")]
    [InlineData("finalResolution")]
    [InlineData("withdrawal")]
    public void A_financial_year_rule_counts_from_the_transaction(string countsFrom)
    {
        var json = MinimalWith(p => p.Item("retentionRules", 0)["countsFrom"] = countsFrom);

        SingleError(json, "retentionRules[0].countsFrom", "a financial-year rule counts from the end of the financial year of a transaction", $"countsFrom must be 'transaction', not '{countsFrom}'");
    }

    [Fact]
    public void A_complaint_period_end_needs_how_far_ahead_it_may_lie()
    {
        var json = MinimalWith(p => p.Item("retentionRules", 1)["countsFrom"] = "complaintPeriodEnd");

        SingleError(json, "retentionRules[1].startsUpToYearsAhead", "required for countsFrom 'complaintPeriodEnd'", "how many years ahead");
    }

    [Theory]
    [InlineData(0, "transaction")]
    [InlineData(1, "lastActivity")]
    [InlineData(2, "lastContact")]
    public void Only_a_complaint_period_end_takes_starts_up_to_years_ahead(int rule, string countsFrom)
    {
        var json = MinimalWith(p => p.Item("retentionRules", rule)["startsUpToYearsAhead"] = 5);

        SingleError(json, $"retentionRules[{rule}].startsUpToYearsAhead", "only an event that may lie ahead (complaintPeriodEnd) takes startsUpToYearsAhead", $"'{countsFrom}' has happened when it is reported");
    }

    [Fact]
    public void A_relationship_end_needs_the_months_that_keep_it_active()
    {
        var json = MinimalWith(p => p.Item("retentionRules", 1)["countsFrom"] = "relationshipEnd");

        SingleError(json, "retentionRules[1].activeWithinMonths", "required for countsFrom 'relationshipEnd'", "keeps the relationship active");
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(1, "collection")]
    [InlineData(1, "complaintPeriodEnd")]
    public void Only_a_relationship_end_takes_active_within_months(int rule, string? countsFrom)
    {
        var json = MinimalWith(p =>
        {
            var item = p.Item("retentionRules", rule);
            if (countsFrom is not null)
            {
                item["countsFrom"] = countsFrom;
            }

            if (countsFrom == "complaintPeriodEnd")
            {
                item["startsUpToYearsAhead"] = 5;
            }

            item["activeWithinMonths"] = 24;
        });
        var anchor = countsFrom ?? new[] { "transaction", "lastActivity", "lastContact" }[rule];

        SingleError(json, $"retentionRules[{rule}].activeWithinMonths", $"only a rule counting from 'relationshipEnd' takes activeWithinMonths, not '{anchor}'");
    }

    [Fact]
    public void Each_start_event_with_its_setting_passes()
    {
        var json = MinimalWith(p =>
        {
            p.Item("retentionRules", 1)["countsFrom"] = "relationshipEnd";
            p.Item("retentionRules", 1)["activeWithinMonths"] = 24;
            p.Item("retentionRules", 2)["countsFrom"] = "complaintPeriodEnd";
            p.Item("retentionRules", 2)["startsUpToYearsAhead"] = 5;
        });

        var catalog = PolicyLoader.Parse(json, "lanopro.policy.json");

        Assert.Equal(24, catalog.GetRetentionRule("after-last-purchase").ActiveWithinMonths);
        Assert.Equal(5, catalog.GetRetentionRule("after-last-contact").StartsUpToYearsAhead);
    }

    // In MinimalPolicy.PortalRecords the kinds are listed in enum order, one each.
    [Theory]
    [InlineData(0, "requests", "closed", "superseded")]
    [InlineData(1, "preferenceHistory", "superseded", "closed")]
    [InlineData(2, "cookieConsents", "recorded", "occurred")]
    [InlineData(3, "sessions", "ended", "expired")]
    [InlineData(4, "magicLinkTokens", "expired", "ended")]
    [InlineData(5, "outboxMails", "settled", "recorded")]
    [InlineData(6, "auditLog", "occurred", "recorded")]
    public void Each_portal_record_counts_from_its_own_event(int index, string record, string expected, string wrong)
    {
        var json = MinimalWith(p => p.Item("portalRecords", index)["countsFrom"] = wrong);

        SingleError(json, $"portalRecords[{index}].countsFrom", $"'{record}' counts from '{expected}'");
    }

    [Fact]
    public void The_audit_log_is_unlinked_not_deleted()
    {
        var json = MinimalWith(p => p.Item("portalRecords", 6)["action"] = "delete");

        SingleError(json, "portalRecords[6].action", "'auditLog' is append-only and outlives the person: its action must be 'unlink'");
    }

    [Theory]
    [InlineData(0, "requests")]
    [InlineData(1, "preferenceHistory")]
    [InlineData(2, "cookieConsents")]
    [InlineData(3, "sessions")]
    [InlineData(4, "magicLinkTokens")]
    [InlineData(5, "outboxMails")]
    public void Every_other_portal_record_is_deleted(int index, string record)
    {
        var json = MinimalWith(p => p.Item("portalRecords", index)["action"] = "unlink");

        SingleError(json, $"portalRecords[{index}].action", $"'{record}' is deleted when its retention ends: its action must be 'delete'");
    }

    [Theory]
    [InlineData(0, "requests")]
    [InlineData(1, "preferenceHistory")]
    [InlineData(2, "cookieConsents")]
    [InlineData(3, "sessions")]
    [InlineData(4, "magicLinkTokens")]
    [InlineData(5, "outboxMails")]
    [InlineData(6, "auditLog")]
    public void Every_kind_of_portal_record_needs_a_rule(int index, string record)
    {
        var json = MinimalWith(p => p["portalRecords"]!.AsArray().RemoveAt(index));

        SingleError(json, "portalRecords", $"no rule for '{record}'; the portal keeps none of its own records forever");
    }

    [Theory]
    [InlineData(3, "sessions")]
    [InlineData(6, "auditLog")]
    public void A_portal_record_has_only_one_rule(int index, string record)
    {
        var json = MinimalWith(p => p["portalRecords"]!.AsArray().Add(p.Item("portalRecords", index).DeepClone()));

        SingleError(json, "portalRecords[7].record", $"'{record}' already has a rule at portalRecords[{index}]");
    }

    [Fact]
    public void Innore_counts_each_rule_from_an_event_its_kind_allows()
    {
        var catalog = PolicyLoader.Parse(Innore().ToJsonString(), "innore.policy.json");

        Assert.All(["ee-accounting-7y", "no-bookkeeping-5y"], id => Assert.Equal(RetentionAnchor.Transaction, catalog.GetRetentionRule(id).CountsFrom));
        Assert.Equal(5, catalog.GetRetentionRule("complaint-period-3y").StartsUpToYearsAhead);
        Assert.Equal(24, catalog.GetRetentionRule("customer-relationship-3y").ActiveWithinMonths);
        Assert.Equal(Enum.GetValues<PortalRecordKind>(), catalog.Document.PortalRecords.Select(r => r.Record).Order());
        Assert.All(catalog.Document.PortalRecords, r => Assert.Equal(PortalRecordRule.StartEventOf(r.Record), r.CountsFrom));
        Assert.Equal(PortalRecordAction.Unlink, Assert.Single(catalog.Document.PortalRecords, r => r.Record == PortalRecordKind.AuditLog).Action);
    }
}
