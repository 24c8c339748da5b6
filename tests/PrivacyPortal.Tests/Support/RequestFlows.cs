using System.Net;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Support;

/// <summary>Filing and handling requests through the pages, as a person and staff would.</summary>
public static class RequestFlows
{
    public static async Task<Guid> FileAsync(CookieAwareClient person, string culture, RequestKind kind, Action<HtmlForm>? fill = null)
    {
        var form = await PortalHost.FormAsync(person, $"/{culture}/requests/new?kind={kind}");
        fill?.Invoke(form);
        using var response = await form.SubmitAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Filing {kind} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"/{culture}/requests/", location, StringComparison.Ordinal);
        return Guid.Parse(location[$"/{culture}/requests/".Length..]);
    }

    /// <summary>Submits one of the action forms of the staff request page (e.g. <c>carry-out</c>) and returns the response.</summary>
    public static async Task<HttpResponseMessage> StaffActAsync(CookieAwareClient staff, Guid requestId, string action, Action<HtmlForm>? fill = null)
    {
        var form = await PortalHost.FormAsync(staff, $"/staff/requests/{requestId}", "#action-" + action);
        fill?.Invoke(form);
        var response = await form.SubmitAsync();
        if (action != "carry-out" || response.StatusCode != HttpStatusCode.OK)
        {
            return response;
        }

        // An erasure asks staff to confirm what it will do first: confirm, as staff would.
        var page = await CookieAwareClient.ParsePageAsync(response);
        if (page.QuerySelector("#carry-out-review form") is null)
        {
            // Not the review (a refused choice shows the form again with its message): the answer as it is.
            return response;
        }

        response.Dispose();
        return await HtmlForm.From(staff, page, "#carry-out-review form").SubmitAsync();
    }

    public static async Task StaffDoAsync(CookieAwareClient staff, Guid requestId, string action, Action<HtmlForm>? fill = null)
    {
        using var response = await StaffActAsync(staff, requestId, action, fill);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{action} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
