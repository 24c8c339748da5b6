using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>Requests that came by email, phone, letter or in a store, recorded by staff at /staff/requests/new.</summary>
public sealed class OutsideRequestTests
{
    [Fact]
    public async Task A_phone_request_counts_from_the_day_it_was_received_and_the_person_is_told_and_sees_the_channel()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        using var support = await host.StaffAsync(PortalHost.Support);

        // Opened from Kari's page: her address is filled in. Received by phone ten days before it is typed in.
        var form = await PortalHost.FormAsync(support, $"/staff/requests/new?person={kariId}", "#record-request");
        Assert.Equal(PortalHost.Kari, form.Fields.Single(f => f.Key == "Input.Email").Value);
        using var response = await Fill(form, "Access", "Phone", "2026-11-13", "Called from +47 912 34 567, the number on file")
            .Check("Input.Controllers", "innore-no")
            .Set("Input.Details", "Vil vite hva dere har lagret om meg.")
            .SubmitAsync();

        var page = await PortalHost.FollowAsync(support, response);
        Assert.Equal("Phone", page.QuerySelector("#request-channel")!.TextContent.Trim());
        Assert.Contains("Called from +47 912 34 567", page.QuerySelector("#identity-check")!.TextContent, StringComparison.Ordinal);
        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.SubjectId == kariId));
        Assert.Equal((RequestChannel.Phone, IdentityCheck.KnownPhoneNumber, supportId), (request.Channel, request.IdentityCheck!.Value, request.RecordedBy!.Value));
        Assert.Equal((new DateOnly(2026, 11, 13), new DateOnly(2026, 12, 13)), (Deadlines.Day(request.ReceivedAt), request.DueOn));

        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari));
        Assert.Equal("request-filed", mail.Kind);
        Assert.Contains("13.11.2026", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("mottatt via: Telefon", mail.TextBody, StringComparison.Ordinal);
        var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.recorded-request"));
        Assert.Equal((kariId, supportId), (audit.SubjectId!.Value, audit.ActorId!.Value));
        Assert.Contains("by Phone, received 2026-11-13, identity: KnownPhoneNumber", audit.Detail, StringComparison.Ordinal);

        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var list = await kari.GetPageAsync("/nb/requests");
        Assert.Contains("Telefon", list.QuerySelector("main table")!.TextContent, StringComparison.Ordinal);
        var details = await kari.GetPageAsync($"/nb/requests/{request.Id}");
        Assert.Equal("Telefon", details.QuerySelector("#request-channel")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_letter_from_an_unknown_address_creates_the_person_who_is_told_in_their_language()
    {
        using var host = new PortalHost();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var form = await PortalHost.FormAsync(dpo, "/staff/requests/new", "#record-request");
        using var response = await Fill(form, "Erasure", "Letter", "2026-11-20", "Signed letter; the answer goes to the address on the letter")
            .Set("Input.Email", "Jaan.Tamm@Example.ee")
            .Set("Input.NewPersonName", "Jaan Tamm")
            .Set("Input.NewPersonCulture", "et")
            .Check("Input.Controllers", "innore-ee")
            .SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var person = await host.DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "JAAN.TAMM@EXAMPLE.EE"));
        Assert.Equal(("Jaan Tamm", "et", AccountKind.Consumer), (person.DisplayName, person.PreferredCulture, person.Kind));
        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.SubjectId == person.Id));
        Assert.Equal((RequestKind.Erasure, RequestChannel.Letter, new DateOnly(2026, 12, 20)), (request.Kind, request.Channel, request.DueOn));
        var mail = Assert.Single(await host.MailsToAsync(person.Email!));
        Assert.Contains("Kiri", mail.TextBody, StringComparison.Ordinal);

        // The new person signs in with the address and finds the request.
        using var jaan = await host.SignInAsync(person.Email!, "et");
        var list = await jaan.GetPageAsync("/et/requests");
        Assert.Contains(request.Reference, list.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input.Kind", "Bogus", "Choose the kind of request from the list.")]
    [InlineData("Input.Kind", "1", "Choose the kind of request from the list.")]
    [InlineData("Input.Kind", "Rectification", "Choose the kind of request from the list.")]
    [InlineData("Input.Channel", "Portal", "Choose how the request was received from the list.")]
    [InlineData("Input.Channel", "Pigeon", "Choose how the request was received from the list.")]
    [InlineData("Input.ReceivedOn", "2026-11-24", "The day received cannot be in the future.")]
    [InlineData("Input.ReceivedOn", "2025-11-22", "The day received cannot be more than 1 year(s) ago.")]
    [InlineData("Input.ReceivedOn", "not a date", "Give the day the request was received.")]
    [InlineData("Input.IdentityCheck", "", "Choose how the person's identity was checked.")]
    [InlineData("Input.IdentityCheck", "Trust", "Choose how the person's identity was checked.")]
    [InlineData("Input.IdentityNote", "  ", "Write a note on the identity check")]
    public async Task Bad_input_gets_a_clear_message_and_saves_nothing_not_even_the_new_person(string field, string value, string message)
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        var form = await PortalHost.FormAsync(support, "/staff/requests/new", "#record-request");
        Fill(form, "Access", "Email", "2026-11-23", "Replied from the address on file after our sign-in link")
            .Set("Input.Email", "new.person@example.no")
            .Check("Input.Controllers", "innore-no");
        form.SetForged(field, value);

        using var response = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains(message, page.QuerySelector("#record-errors")!.TextContent, StringComparison.Ordinal);
        Assert.False(await host.DbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == "NEW.PERSON@EXAMPLE.NO")));
        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
        Assert.Empty(await host.MailsToAsync("new.person@example.no"));
    }

    [Fact]
    public async Task The_received_day_may_be_exactly_a_year_ago_and_the_deadline_has_already_passed()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        var form = await PortalHost.FormAsync(support, "/staff/requests/new", "#record-request");
        using var response = await Fill(form, "Access", "InStore", "2025-11-23", "ID card shown at the Oslo showroom")
            .Set("Input.Email", PortalHost.Ola)
            .Check("Input.Controllers", "innore-no")
            .SubmitAsync();

        var page = await PortalHost.FollowAsync(support, response);
        Assert.Contains("overdue", page.QuerySelector("main")!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(new DateOnly(2025, 12, 23), await host.DbAsync(db => db.Set<PrivacyRequest>().Select(r => r.DueOn).SingleAsync()));
    }

    private static HtmlForm Fill(HtmlForm form, string kind, string channel, string receivedOn, string identityNote) =>
        form.Set("Input.Kind", kind)
            .Set("Input.Channel", channel)
            .Set("Input.ReceivedOn", receivedOn)
            .Set("Input.IdentityCheck", channel switch
            {
                "Phone" => nameof(IdentityCheck.KnownPhoneNumber),
                "Letter" => nameof(IdentityCheck.SignedLetterToAddressOnFile),
                "InStore" => nameof(IdentityCheck.IdShownInStore),
                _ => nameof(IdentityCheck.MagicLinkToAddressOnFile),
            })
            .Set("Input.IdentityNote", identityNote);
}
