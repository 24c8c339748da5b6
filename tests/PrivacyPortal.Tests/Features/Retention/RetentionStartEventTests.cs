using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Retention;

/// <summary>
/// A store sends, per record, the date of the event the category's rule counts from; a customer
/// relationship that is still active has no end date on my-data, and the sweep leaves it alone.
/// </summary>
public sealed class RetentionStartEventTests : IDisposable
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(PortalHost.DefaultNow.UtcDateTime);

    private readonly PortalHost host = new();
    private readonly OidcFlow flow;

    public RetentionStartEventTests() => flow = new OidcFlow(host.Factory, host.Anonymous());

    public void Dispose() => host.Dispose();

    /// <summary>A date as the English my-data page writes it.</summary>
    private static string English(DateOnly date) => PrivacyPortal.Infrastructure.Time.DateTexts.Date(date, CultureInfo.GetCultureInfo("en"));

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage> PushAsync(params object[] records)
    {
        var token = await flow.StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        return await flow.StoreSendAsync(token, HttpMethod.Post, "/api/v1/records", new { records });
    }

    private static async Task<string> ProblemFieldAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await OidcFlow.JsonAsync(response)).GetProperty("field").GetString()!;
    }

    [Fact]
    public async Task An_order_of_2024_03_10_at_Innore_OU_sent_as_its_transaction_date_is_kept_until_2031_12_31()
    {
        using var pushed = await PushAsync(new { externalId = "EE-2024-0310", email = PortalHost.Mari, category = "orders", summary = "Order EE-2024-0310", content = new { total = 120 }, transactionDate = "2024-03-10" });
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);

        using var mari = await host.SignInAsync(PortalHost.Mari);
        var page = await mari.GetPageAsync("/en/my-data");

        var row = page.QuerySelectorAll("tr").Single(r => r.TextContent.Contains("Order EE-2024-0310", StringComparison.Ordinal));
        Assert.Contains(English(new DateOnly(2031, 12, 31)), row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_is_refused_a_transaction_date_in_the_future_or_another_events_date_but_may_date_a_complaint_period_end_five_years_ahead()
    {
        using (var future = await PushAsync(new { externalId = "EE-FUT-1", email = PortalHost.Mari, category = "orders", summary = "Order", content = new { total = 1 }, transactionDate = Iso(Today.AddDays(2)) }))
        {
            Assert.Equal("records[0].transactionDate", await ProblemFieldAsync(future));
        }

        using (var wrongEvent = await PushAsync(new { externalId = "EE-FUT-2", email = PortalHost.Mari, category = "orders", summary = "Order", content = new { total = 1 }, resolvedOn = Iso(Today) }))
        {
            Assert.Equal("records[0].resolvedOn", await ProblemFieldAsync(wrongEvent));
        }

        using (var none = await PushAsync(new { externalId = "EE-FUT-3", email = PortalHost.Mari, category = "warranty-cases", summary = "Warranty", content = new { product = "door" } }))
        {
            Assert.Equal("records[0].complaintPeriodEnd", await ProblemFieldAsync(none));
        }

        using (var tooFar = await PushAsync(new { externalId = "EE-WAR-1", email = PortalHost.Mari, category = "warranty-cases", summary = "Warranty", content = new { product = "door" }, complaintPeriodEnd = Iso(Today.AddYears(5).AddDays(1)) }))
        {
            Assert.Equal("records[0].complaintPeriodEnd", await ProblemFieldAsync(tooFar));
        }

        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.ExternalId!.StartsWith("EE-FUT") || r.ExternalId == "EE-WAR-1")));

        using var ahead = await PushAsync(new { externalId = "EE-WAR-2", email = PortalHost.Mari, category = "warranty-cases", summary = "Warranty for a sliding door", content = new { product = "door" }, complaintPeriodEnd = Iso(Today.AddYears(5)) });
        Assert.Equal(HttpStatusCode.OK, ahead.StatusCode);
        using var mari = await host.SignInAsync(PortalHost.Mari);
        var page = await mari.GetPageAsync("/en/my-data");
        var row = page.QuerySelectorAll("tr").Single(r => r.TextContent.Contains("Warranty for a sliding door", StringComparison.Ordinal));
        Assert.Contains(English(Today.AddYears(8)), row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_customer_relationship_lasts_my_data_and_the_export_give_no_date_and_the_sweep_keeps_the_data()
    {
        // The store says the relationship ended in 2020: kept until 2023, long gone by now.
        using (var ended = await PushAsync(new { externalId = "EE-ACC-1", email = "returning.customer@example.ee", category = "customer-account", summary = "Customer account EE-1", content = new { customerNumber = "EE-1" }, relationshipEnd = "2020-01-10" }))
        {
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        }

        Assert.Contains(await ExpiredAsync("returning.customer@example.ee", Today), r => r.Summary == "Customer account EE-1" && r.Until == new DateOnly(2023, 1, 10));

        // A new order reopens it: active again, no end date, and the sweep never takes it.
        using (var order = await PushAsync(new { externalId = "EE-ORD-1", email = "returning.customer@example.ee", category = "orders", summary = "Order EE-ORD-1", content = new { total = 10 }, transactionDate = Iso(Today.AddMonths(-1)) }))
        {
            Assert.Equal(HttpStatusCode.OK, order.StatusCode);
        }

        Assert.DoesNotContain(await ExpiredAsync("returning.customer@example.ee", Today.AddMonths(23)), r => r.Summary == "Customer account EE-1");
        using var person = await host.SignInAsync("returning.customer@example.ee");
        var page = await person.GetPageAsync("/en/my-data");
        var row = page.QuerySelectorAll("tr").Single(r => r.TextContent.Contains("Customer account EE-1", StringComparison.Ordinal));
        Assert.Contains("until 3 years after our customer relationship ends", row.TextContent, StringComparison.Ordinal);
        var nb = await person.GetPageAsync("/nb/my-data");
        Assert.Contains("3 år etter at kundeforholdet vårt er avsluttet", nb.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        // Once no order, sign-in or word of the store is recent (24 months), it ended on the last one.
        var lastSign = Today;   // the sign-in above
        var ends = lastSign.AddYears(3);
        Assert.DoesNotContain(await ExpiredAsync("returning.customer@example.ee", ends), r => r.Summary == "Customer account EE-1");
        Assert.Contains(await ExpiredAsync("returning.customer@example.ee", ends.AddDays(1)), r => r.Summary == "Customer account EE-1" && r.Until == ends);
    }

    [Fact]
    public async Task A_store_saying_the_relationship_is_active_needs_no_date_and_a_date_beside_it_is_refused()
    {
        using (var both = await PushAsync(new { externalId = "EE-ACT-1", email = PortalHost.Mari, category = "contact", summary = "Address", content = new { city = "Tartu" }, relationshipActive = true, relationshipEnd = "2026-01-01" }))
        {
            Assert.Equal("records[0].relationshipEnd", await ProblemFieldAsync(both));
        }

        using (var notRelationship = await PushAsync(new { externalId = "EE-ACT-2", email = PortalHost.Mari, category = "orders", summary = "Order", content = new { total = 1 }, transactionDate = "2026-01-01", relationshipActive = true }))
        {
            Assert.Equal("records[0].relationshipActive", await ProblemFieldAsync(notRelationship));
        }

        using var active = await PushAsync(new { externalId = "EE-ACT-3", email = PortalHost.Mari, category = "contact", summary = "Second address", content = new { city = "Tartu" }, relationshipActive = true });
        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        var row = await host.DbAsync(db => db.HeldRecords.AsNoTracking().SingleAsync(r => r.ExternalId == "EE-ACT-3"));
        Assert.True(row.RelationshipActive);
        Assert.Equal(Today, row.RetentionFrom);
    }

    [Fact]
    public async Task Staff_see_no_end_date_for_a_record_whose_customer_relationship_is_still_active()
    {
        using (var active = await PushAsync(new { externalId = "EE-ACT-4", email = PortalHost.Mari, category = "contact", summary = "Delivery address in Tartu", content = new { city = "Tartu" }, relationshipActive = true }))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        // A month later the store's "still active" is the latest word: no end yet, not 3 years from that day.
        host.Factory.Clock.Advance(TimeSpan.FromDays(30));
        Guid request;
        using (var mari = await host.SignInAsync(PortalHost.Mari))
        {
            request = await RequestFlows.FileAsync(mari, "en", PrivacyPortal.Features.Requests.RequestKind.Erasure);
        }

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var page = await dpo.GetPageAsync($"/staff/requests/{request}");
        var row = page.QuerySelectorAll("tr").Single(r => r.TextContent.Contains("Delivery address in Tartu", StringComparison.Ordinal));
        Assert.Contains("After the customer relationship ends (still active)", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Today.AddYears(3).Year.ToString(CultureInfo.InvariantCulture), row.TextContent, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<ExpiredRecord>> ExpiredAsync(string email, DateOnly day)
    {
        var subject = await host.UserIdAsync(email);
        using var scope = host.Factory.Services.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<RetentionSweep>().PreviewAsync(day, CancellationToken.None);
        return [.. report.Expired.Where(r => r.SubjectId == subject)];
    }
}
