using System.Text.Json.Nodes;
using PrivacyPortal.Features.Policy;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>Each recipient says how it is told of a rectification, erasure or restriction (Art. 19).</summary>
public sealed class RecipientNotificationTests
{
    [Fact]
    public void Innore_tells_its_parent_through_the_store_api_and_everyone_else_by_hand_at_a_contact()
    {
        var policy = PolicyLoader.Parse(File.ReadAllText(InnorePath), "innore.policy.json");

        var group = policy.Document.Recipients.Single(r => r.Id == "innore-group");
        Assert.Equal((RecipientNotificationMethod.StoreApi, (string?)null), (group.Notification!.Method, group.Notification.Contact));
        Assert.All(policy.Document.Recipients.Where(r => r.Id != "innore-group"), r =>
        {
            Assert.Equal(RecipientNotificationMethod.Manual, r.Notification!.Method);
            Assert.False(string.IsNullOrWhiteSpace(r.Notification.Contact));
        });
    }

    [Fact]
    public void A_recipient_without_a_notification_is_refused()
    {
        SingleError(InnoreWith(p => p.Item("recipients", 0).Remove("notification")), "recipients[0].notification", "required field is missing");
    }

    [Fact]
    public void An_unknown_method_is_refused()
    {
        SingleError(InnoreWith(p => p.Item("recipients", 0)["notification"] = new JsonObject { ["method"] = "carrierPigeon", ["contact"] = "x" }),
            "recipients[0].notification.method");
    }

    [Fact]
    public void A_manual_task_needs_someone_to_tell()
    {
        SingleError(InnoreWith(p => p.Item("recipients", 0)["notification"] = new JsonObject { ["method"] = "manual" }),
            "recipients[0].notification.contact", "required for method 'manual'");
    }

    [Fact]
    public void The_store_api_is_only_for_a_company_of_the_group_with_a_store()
    {
        SingleError(InnoreWith(p => p.Item("recipients", 0)["notification"] = new JsonObject { ["method"] = "storeApi" }),
            "recipients[0].notification.method", "only for a company of the group");

        var withoutStore = InnoreWith(p =>
        {
            p["stores"]!.AsArray().RemoveAt(0);   // innore.eu, Innore OÜ's only store
        });
        SingleError(withoutStore, "recipients[7].notification.method", "needs a store of 'innore-ee'");
    }

    [Fact]
    public void A_store_api_recipient_has_no_contact()
    {
        SingleError(InnoreWith(p => p.Item("recipients", 7)["notification"]!["contact"] = "someone"),
            "recipients[7].notification.contact", "applies to method 'manual' only");
    }
}
