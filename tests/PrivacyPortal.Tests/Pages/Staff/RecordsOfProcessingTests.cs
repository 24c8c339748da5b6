using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>The record of processing activities (Art. 30(1)) the privacy officer sees, prints and downloads, generated from the policy.</summary>
public sealed class RecordsOfProcessingTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    [Fact]
    public async Task The_officer_sees_each_company_with_its_purposes_categories_recipients_transfers_retention_and_security_measures()
    {
        using var host = new PortalHost();
        var policy = host.Factory.Services.GetRequiredService<PolicyCatalog>();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var page = await dpo.GetPageAsync("/staff/records-of-processing");

        Assert.Equal("Records of processing activities", page.QuerySelector("h1")!.TextContent.Trim());
        foreach (var controller in policy.Controllers)
        {
            var section = page.QuerySelector($"#ropa-{controller.Id}");
            Assert.NotNull(section);
            var text = section.TextContent;
            Assert.Contains(controller.LegalName, text, StringComparison.Ordinal);
            Assert.Contains(controller.RegistrationCode, text, StringComparison.Ordinal);
            Assert.Contains(controller.PrivacyEmail, text, StringComparison.Ordinal);
            Assert.Contains(policy.SupervisoryAuthorityOf(controller).Name.Get(English), text, StringComparison.Ordinal);
            Assert.Equal(controller.SecurityMeasures.Get(English), section.QuerySelector(".ropa__security")!.TextContent.Trim());
            foreach (var category in controller.Categories)
            {
                var card = section.QuerySelector($"#ropa-{controller.Id}-{category.Id}");
                Assert.NotNull(card);
                Assert.Contains(category.Name.Get(English), card.TextContent, StringComparison.Ordinal);
                var rule = policy.RetentionRuleOf(category);
                Assert.Contains(rule.Description.Get(English), card.TextContent, StringComparison.Ordinal);
                if (rule.Law is { } law)
                {
                    Assert.Contains(law.Get(English), card.TextContent, StringComparison.Ordinal);
                }

                foreach (var purpose in policy.PurposesOf(category))
                {
                    Assert.Contains(purpose.Name.Get(English), card.TextContent, StringComparison.Ordinal);
                }

                foreach (var recipient in policy.RecipientsOf(category))
                {
                    Assert.Contains(recipient.Name.Get(English), card.TextContent, StringComparison.Ordinal);
                }
            }
        }

        // INNORE AS passes data to its parent in Estonia (within the EEA) and to providers outside it under SCCs.
        var norway = page.QuerySelector("#ropa-innore-no .ropa__transfers")!.TextContent;
        Assert.Contains("EE: within the EU/EEA", norway, StringComparison.Ordinal);
        Assert.Contains("countries outside the EU/EEA: adequacy decision, standard contractual clauses", norway, StringComparison.Ordinal);
        Assert.Contains("7 years after the end of the financial year in which the transaction took place (Estonian Accounting Act § 12)",
            page.QuerySelector("#ropa-innore-ee-orders")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["Consumer customers", "Contact persons of business customers", "Website visitors"],
            page.QuerySelectorAll("#ropa-innore-ee .ropa__people li").Select(li => li.TextContent.Trim()));

        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        var viewed = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.ActorId == dpoId && e.Action == "staff.viewed-records-of-processing").Select(e => e.Detail).ToListAsync());
        Assert.Equal([$"revision {policy.Revision}, page, en"], viewed);
    }

    [Fact]
    public async Task In_norwegian_the_record_and_the_policy_texts_are_norwegian()
    {
        using var host = new PortalHost();
        var policy = host.Factory.Services.GetRequiredService<PolicyCatalog>();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        dpo.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("nb-NO,nb;q=0.9");

        var page = await dpo.GetPageAsync("/staff/records-of-processing");

        Assert.Equal("nb", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Protokoll over behandlingsaktiviteter", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(policy.GetController("innore-no").SecurityMeasures.Get(CultureInfo.GetCultureInfo("nb")),
            page.QuerySelector("#ropa-innore-no .ropa__security")!.TextContent.Trim());
        Assert.Contains("innenfor EU/EØS", page.QuerySelector("#ropa-innore-no .ropa__transfers")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_has_one_row_per_category_of_each_company_and_the_download_is_audited()
    {
        using var host = new PortalHost();
        var policy = host.Factory.Services.GetRequiredService<PolicyCatalog>();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using var response = await dpo.GetAsync("/staff/records-of-processing/csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"records-of-processing-{policy.Revision}-en.csv", response.Content.Headers.ContentDisposition!.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes.Take(3));
        var lines = Encoding.UTF8.GetString(bytes.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Controller;Registration code;Contact;Privacy contact;Supervisory authority;Category of personal data;Description;Categories of people;Purposes (legal basis);Kept for;Recipients;Transfers and safeguards;Security measures", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + policy.Controllers.Sum(c => c.Categories.Count), lines.Length);
        var orders = policy.GetCategory("innore-no", "orders");
        var row = Assert.Single(lines, l => l.StartsWith("INNORE AS;819 337 772;", StringComparison.Ordinal) && l.Contains(orders.Name.Get(English), StringComparison.Ordinal));
        Assert.Contains(policy.RetentionRuleOf(orders).Law!.Get(English), row, StringComparison.Ordinal);
        Assert.Contains("EE: within the EU/EEA", row, StringComparison.Ordinal);
        Assert.Contains("Datatilsynet", row, StringComparison.Ordinal);

        Assert.True(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "staff.downloaded-records-of-processing" && e.Detail == $"revision {policy.Revision}, CSV, en")));
    }

    [Fact]
    public async Task The_printable_page_has_the_whole_record_without_the_staff_navigation()
    {
        using var host = new PortalHost();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var page = await dpo.GetPageAsync("/staff/records-of-processing/print");

        Assert.Null(page.QuerySelector(".staff-nav"));
        Assert.Null(page.QuerySelector(".site-header"));
        Assert.NotNull(page.QuerySelector("#ropa-innore-ee .ropa__security"));
        Assert.NotNull(page.QuerySelector("#ropa-innore-no .ropa__security"));
        Assert.NotNull(page.QuerySelector("link[rel=stylesheet][href^='/css/site.css']"));
        Assert.True(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "staff.viewed-records-of-processing" && e.Detail!.Contains("printable page"))));
    }

    [Fact]
    public async Task Support_staff_get_neither_the_record_nor_its_download()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);

        foreach (var url in new[] { "/staff/records-of-processing", "/staff/records-of-processing/csv", "/staff/records-of-processing/print" })
        {
            using var response = await support.GetAsync(url);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.False(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action.Contains("records-of-processing"))));
    }
}
