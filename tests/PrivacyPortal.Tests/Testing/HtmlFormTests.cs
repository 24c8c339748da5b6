using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Testing.Infrastructure;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Testing;

// Against a tiny app with ASP.NET Core's real antiforgery, so the token and cookie handling are proven.
public sealed class HtmlFormTests : IAsyncLifetime
{
    private LoopbackApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await LoopbackApp.StartAsync(
            app =>
            {
                app.UseAntiforgery();
                app.MapGet("/form", (HttpContext context, IAntiforgery antiforgery) =>
                {
                    var tokens = antiforgery.GetAndStoreTokens(context);
                    return Results.Content(
                        $"""
                        <!doctype html><html lang="en"><title>Form</title>
                        <form id="other" method="get" action="/search"><input name="q" value="start"></form>
                        <form id="prefs" method="post">
                          <input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">
                          <label>Name <input name="Name" value="old"></label>
                          <textarea name="Note">n</textarea>
                          <select name="Lang"><option value="en">en</option><option value="nb">nb</option></select>
                          <input type="radio" name="Channel" value="email" checked><input type="radio" name="Channel" value="sms">
                          <input type="checkbox" name="Newsletter" value="true"><input type="hidden" name="Newsletter" value="false">
                          <button name="action" value="save">Save</button>
                          <button name="action" value="other" formaction="/form/other">Other</button>
                        </form>
                        """,
                        "text/html");
                });
                app.MapPost("/form", Echo);
                app.MapPost("/form/other", Echo);
            },
            services => services.AddAntiforgery());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_filled_form_posts_its_fields_token_and_pressed_button()
    {
        using var client = CookieAwareClient.ForServer(_app.Address);
        var form = await HtmlForm.LoadAsync(client, "/form", "#prefs");

        Assert.False(string.IsNullOrEmpty(form.RequestVerificationToken));
        using var response = await form
            .Set("Name", "Kari Ærø")
            .Set("Note", "line")
            .Set("Lang", "nb")
            .Set("Channel", "sms")
            .Check("Newsletter")
            .SubmitAsync("button[value=save]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "path=/form;Name=Kari Ærø;Note=line;Lang=nb;Channel=sms;Newsletter=true,false;action=save",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Formaction_of_the_pressed_button_decides_the_target()
    {
        using var client = CookieAwareClient.ForServer(_app.Address);
        var form = await HtmlForm.LoadAsync(client, "/form", "#prefs");

        using var response = await form.SubmitAsync("button[value=other]");

        Assert.StartsWith("path=/form/other;Name=old;Note=n;Lang=en;Channel=email;Newsletter=false;action=other", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_token_or_without_the_cookie_the_server_refuses()
    {
        using var client = CookieAwareClient.ForServer(_app.Address);
        var form = await HtmlForm.LoadAsync(client, "/form", "#prefs");
        Assert.Contains(client.Cookies.GetAllCookies(), c => c.Name.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));

        using var withoutToken = await client.PostFormAsync("/form", [new("Name", "x")]);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

        using var stranger = CookieAwareClient.ForServer(_app.Address);
        using var withoutCookie = await stranger.PostFormAsync("/form", form.Fields);
        Assert.Equal(HttpStatusCode.BadRequest, withoutCookie.StatusCode);
    }

    [Fact]
    public async Task Misspelt_fields_and_ambiguous_selectors_fail_loudly()
    {
        using var client = CookieAwareClient.ForServer(_app.Address);
        var page = await client.GetPageAsync("/form");

        Assert.Throws<InvalidOperationException>(() => HtmlForm.From(client, page));
        var form = HtmlForm.From(client, page, "#prefs");
        Assert.Throws<InvalidOperationException>(() => form.Set("Nmae", "x"));
        Assert.Throws<InvalidOperationException>(() => form.Set("Lang", "de"));
        Assert.Throws<InvalidOperationException>(() => form.Set("Newsletter", "true"));
        Assert.IsAssignableFrom<IHtmlFormElement>(form.Element);
    }

    [Fact]
    public async Task A_get_form_sends_its_fields_in_the_query()
    {
        using var client = CookieAwareClient.ForServer(_app.Address);
        var form = await HtmlForm.LoadAsync(client, "/form", "#other");

        Assert.Equal([new("q", "start")], form.Fields);
        using var response = await form.Set("q", "kari").SubmitAsync();
        Assert.Equal(new Uri(_app.Address, "/search?q=kari"), response.RequestMessage!.RequestUri);
    }

    private static async Task<IResult> Echo(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync();
        var fields = form.Where(f => f.Key != "__RequestVerificationToken").Select(f => $"{f.Key}={f.Value}");
        return Results.Text($"path={context.Request.Path};" + string.Join(';', fields));
    }
}
