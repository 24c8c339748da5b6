using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Demo;

public static class DemoDataRegistration
{
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<IDatabaseSeeder, DemoDataSeeder>();
        // After the demo staff exist: their enrolment invitations (Development's mailbox shows them).
        builder.Services.AddScoped<IDatabaseSeeder, Staff.DemoStaffInvitations>();
        return builder;
    }
}

/// <summary>Staff roles; people are given them by an Admin (or by the demo data).</summary>
public static class StaffRoles
{
    public const string Support = "Support";
    public const string PrivacyOfficer = "PrivacyOfficer";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Support, PrivacyOfficer, Admin];
}

/// <summary>The demo people of DESIGN.md, seeded when <c>Portal:SeedDemoData</c> is on (Development and tests).</summary>
internal sealed class DemoDataSeeder(
    UserManager<DataSubject> users,
    RoleManager<IdentityRole<Guid>> roles,
    IOptions<PortalOptions> options,
    PolicyCatalog policy,
    TimeProvider time) : IDatabaseSeeder
{
    public const string Kari = "kari.nordmann@example.no";
    public const string Mari = "mari.maasikas@example.ee";
    public const string Ola = "ola.hansen@bygg.example.no";
    public const string SupportStaff = "support@innore.example";
    public const string PrivacyOfficer = "dpo@innore.example";

    public async Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.NewGuid() }));
            }
        }

        if (!options.Value.SeedDemoData)
        {
            return;
        }

        var kari = await PersonAsync(Kari, "Kari Nordmann", AccountKind.Consumer, "nb", "+47 912 34 567");
        if (kari is not null)
        {
            Add(db, kari, "innore-no", "identity", "Name and date of birth", new { name = "Kari Nordmann", dateOfBirth = "1986-04-12" }, new(2025, 9, 14));
            Add(db, kari, "innore-no", "contact", "Delivery address", new { email = Kari, phone = "+47 912 34 567", deliveryAddress = "Storgata 12, 0155 Oslo", invoiceAddress = "Storgata 12, 0155 Oslo" }, new(2025, 9, 14));
            Add(db, kari, "innore-no", "customer-account", "Customer account at innore.no", new { customerNumber = "NO-10482", createdAt = "2021-02-03", lastLogin = "2025-09-14" }, new(2025, 9, 14));
            var orders = new (DateOnly Date, string Number, string Product, decimal Total)[]
            {
                (new(2021, 2, 3), "NO-2021-0142", "Skyvedør, hvit, 90 × 210 cm", 7490m),
                (new(2022, 6, 18), "NO-2022-0877", "Garderobeinnredning, eik", 12950m),
                (new(2023, 11, 2), "NO-2023-1533", "Trappegelender, stål", 18400m),
                (new(2024, 3, 10), "NO-2024-0311", "Skyvedør, speil, 2 stk.", 15980m),
                (new(2025, 9, 14), "NO-2025-1290", "Hyllesystem, antrasitt", 6350m),
            };
            foreach (var o in orders)
            {
                Add(db, kari, "innore-no", "orders", $"Order {o.Number}: {o.Product}", new { orderNumber = o.Number, product = o.Product, total = o.Total, currency = "NOK" }, o.Date, "innore-no", o.Number);
                Add(db, kari, "innore-no", "payment", $"Payment for {o.Number}", new { method = "Vipps", transactionReference = "VP-" + o.Number[3..], amount = o.Total, currency = "NOK" }, o.Date);
            }

            Add(db, kari, "innore-no", "configurator-drawings", "Drawing: sliding doors NO-2024-0311", new { order = "NO-2024-0311", widthMm = 1800, heightMm = 2100, panels = 2, finish = "mirror" }, new(2024, 3, 10));
            // INNORE AS shares ordered products with its parent for manufacturing (policy §6.2).
            Add(db, kari, "innore-ee", "configurator-drawings", "Production order for NO-2024-0311", new { order = "NO-2024-0311", factory = "Reola", widthMm = 1800, heightMm = 2100 }, new(2024, 3, 10));
            Add(db, kari, "innore-no", "marketing", "Newsletter subscription", new { newsletter = "subscribed", since = "2021-02-03", lastOpened = "2026-10-01" }, new(2026, 10, 1));
            // The subscription itself, as /preferences and the stores read it: she ticked it at her first order.
            Preference(db, kari, PreferenceKey.Newsletter("innore-no"), "innore-no", new(2021, 2, 3, 18, 12, 0, TimeSpan.Zero));
        }

        var mari = await PersonAsync(Mari, "Mari Maasikas", AccountKind.Consumer, "et", "+372 5123 4567");
        if (mari is not null)
        {
            Add(db, mari, "innore-ee", "identity", "Name", new { name = "Mari Maasikas" }, new(2025, 5, 20));
            Add(db, mari, "innore-ee", "contact", "Delivery address", new { email = Mari, phone = "+372 5123 4567", deliveryAddress = "Rüütli 15, 51007 Tartu" }, new(2025, 5, 20));
            Add(db, mari, "innore-ee", "customer-account", "Customer account at innore.eu", new { customerNumber = "EE-20931", createdAt = "2023-08-11" }, new(2025, 5, 20));
            Add(db, mari, "innore-ee", "orders", "Order EE-2023-0412: wardrobe doors", new { orderNumber = "EE-2023-0412", product = "Kapiuksed, valge", total = 640.00m, currency = "EUR" }, new(2023, 8, 11), "innore-eu", "EE-2023-0412");
            Add(db, mari, "innore-ee", "orders", "Order EE-2025-0233: shelving", new { orderNumber = "EE-2025-0233", product = "Riiulisüsteem", total = 389.90m, currency = "EUR" }, new(2025, 5, 20), "innore-eu", "EE-2025-0233");
            Add(db, mari, "innore-ee", "payment", "Payment for EE-2025-0233", new { method = "Bank link (Swedbank)", transactionReference = "SWB-884213", amount = 389.90m, currency = "EUR" }, new(2025, 5, 20));
            Add(db, mari, "innore-ee", "marketing", "Consent to news and offers", new { consent = "prospect-marketing", givenAt = "2023-07-30", channel = "email" }, new(2026, 9, 2));
            Add(db, mari, "innore-ee", "technical", "Analytics cookie consent and visits", new { cookieConsent = "analytics", browser = "Firefox 140", visits = 14 }, new(2026, 9, 2));
            Preference(db, mari, PreferenceKey.Consent("innore-ee", "prospect-marketing"), "innore-eu", new(2023, 7, 30, 10, 41, 0, TimeSpan.Zero));
            // A month ago, so it is current whenever the demo starts (a choice is asked again after 12 months).
            CookieConsent(db, mari, ["analytics"], time.GetUtcNow().AddDays(-30));
        }

        var ola = await PersonAsync(Ola, "Ola Hansen", AccountKind.BusinessContact, "nb", "+47 928 11 223",
            company: "Hansen Bygg AS", registrationCode: "912 345 678", jobTitle: "Prosjektleder");
        if (ola is not null)
        {
            Add(db, ola, "innore-no", "professional-identity", "Contact person of Hansen Bygg AS", new { name = "Ola Hansen", jobTitle = "Prosjektleder", company = "Hansen Bygg AS", registrationCode = "912 345 678" }, new(2026, 3, 4));
            Add(db, ola, "innore-no", "professional-contact", "Work contact details", new { email = Ola, phone = "+47 928 11 223", businessAddress = "Industriveien 8, 2010 Strømmen" }, new(2026, 3, 4));
            Add(db, ola, "innore-no", "project-data", "Project Strømmen terrasse: correspondence", new { project = "Strømmen terrasse", messages = 23, lastMessage = "2026-03-04" }, new(2026, 3, 4));
            Add(db, ola, "innore-no", "configurator-drawings", "Drawing: railings, Strømmen terrasse", new { project = "Strømmen terrasse", lengthM = 42.5, material = "galvanised steel" }, new(2025, 10, 6));
            Add(db, ola, "innore-no", "contract-invoicing", "Invoice NO-F-2025-0456", new { invoice = "NO-F-2025-0456", amount = 186400m, currency = "NOK" }, new(2025, 11, 30), "innore-no", "NO-F-2025-0456");
            Add(db, ola, "innore-ee", "project-data", "Manufacturing specification, Strømmen terrasse", new { project = "Strømmen terrasse", batches = 3 }, new(2025, 10, 20));
            Add(db, ola, "innore-ee", "contract-invoicing", "Invoice EE-A-2025-0917 (direct delivery)", new { invoice = "EE-A-2025-0917", amount = 4250.00m, currency = "EUR" }, new(2025, 12, 12), "innore-eu", "EE-A-2025-0917");
        }

        await StaffAsync(SupportStaff, "Siri Support", [StaffRoles.Support]);
        await StaffAsync(PrivacyOfficer, "Peeter Privaatsus", [StaffRoles.PrivacyOfficer, StaffRoles.Admin]);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<DataSubject?> PersonAsync(string email, string name, AccountKind kind, string culture, string phone,
        string? company = null, string? registrationCode = null, string? jobTitle = null)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return null;
        }

        var person = new DataSubject
        {
            Id = Guid.NewGuid(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            PhoneNumber = phone,
            DisplayName = name,
            Kind = kind,
            PreferredCulture = culture,
            CompanyName = company,
            CompanyRegistrationCode = registrationCode,
            JobTitle = jobTitle,
            CreatedAt = time.GetUtcNow(),
        };
        Check(await users.CreateAsync(person));
        return person;
    }

    private async Task StaffAsync(string email, string name, IReadOnlyList<string> staffRoles)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var staff = new DataSubject
        {
            Id = Guid.NewGuid(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = name,
            Kind = AccountKind.Staff,
            PreferredCulture = "en",
            CreatedAt = time.GetUtcNow(),
        };
        Check(await users.CreateAsync(staff));
        Check(await users.AddToRolesAsync(staff, staffRoles));
    }

    private void Add(PortalDbContext db, DataSubject person, string controller, string category, string summary, object content, DateOnly retentionFrom,
        string? store = null, string? externalId = null)
    {
        var now = time.GetUtcNow();
        db.HeldRecords.Add(new HeldRecord
        {
            SubjectId = person.Id,
            ControllerId = controller,
            CategoryId = category,
            Summary = summary,
            Content = JsonSerializer.Serialize(content),
            RetentionFrom = retentionFrom,
            // The demo people are current customers: the store last said so on that date.
            RelationshipActive = policy.FindCategory(controller, category) is { } known
                && policy.RetentionRuleOf(known).CountsFrom == RetentionAnchor.RelationshipEnd,
            SourceStoreId = store,
            ExternalId = externalId,
            CreatedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>A preference the person switched on at a store, as its first history row.</summary>
    private void Preference(PortalDbContext db, DataSubject person, PreferenceKey key, string store, DateTimeOffset at) =>
        db.Add(new MarketingPreferenceRecord
        {
            SubjectId = person.Id,
            ControllerId = key.ControllerId,
            Kind = key.Kind,
            Target = key.Target,
            Version = 1,
            Enabled = true,
            Actor = PreferenceActorKind.Person,
            ActorId = person.Id,
            Channel = PreferenceChannel.StoreApi,
            StoreId = store,
            PolicyRevision = policy.Revision,
            OccurredAt = at,
        });

    /// <summary>A cookie choice made while signed in, so it is on the account and follows the person to any browser.</summary>
    private void CookieConsent(PortalDbContext db, DataSubject person, IReadOnlyList<string> optional, DateTimeOffset at) =>
        db.Add(new CookieConsentRecord
        {
            ConsentId = Guid.NewGuid(),
            SubjectId = person.Id,
            Categories = string.Join(' ', policy.CookieCategories.Where(c => !c.ConsentRequired || optional.Contains(c.Id)).Select(c => c.Id)),
            Action = CookieConsentAction.Choose,
            PolicyRevision = policy.Revision,
            GivenAt = at,
            RecordedAt = at,
        });

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Seeding demo data failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
