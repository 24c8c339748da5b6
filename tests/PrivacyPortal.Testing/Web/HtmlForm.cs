using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace PrivacyPortal.Testing.Web;

/// <summary>
/// A form read from a page, filled in and submitted the way a browser would: hidden fields such as
/// <c>__RequestVerificationToken</c> go along as they are, unchecked boxes stay out, and the
/// submit button's name and value (and formaction) count.
/// </summary>
public sealed class HtmlForm
{
    public const string AntiforgeryFieldName = "__RequestVerificationToken";

    private readonly CookieAwareClient _client;

    private HtmlForm(CookieAwareClient client, IHtmlFormElement element)
    {
        _client = client;
        Element = element;
    }

    public IHtmlFormElement Element { get; }

    /// <summary>The antiforgery token the server rendered into the form, or null if there is none.</summary>
    public string? RequestVerificationToken =>
        (Element.Elements[AntiforgeryFieldName] as IHtmlInputElement)?.Value;

    /// <summary>GETs <paramref name="pageUrl"/> with <paramref name="client"/> (so the antiforgery cookie lands in its jar) and picks the form.</summary>
    public static async Task<HtmlForm> LoadAsync(CookieAwareClient client, string pageUrl, string formSelector = "form")
    {
        ArgumentNullException.ThrowIfNull(client);
        var page = await client.GetPageAsync(pageUrl);
        return From(client, page, formSelector);
    }

    /// <summary>Picks the form matching <paramref name="formSelector"/> in an already loaded page.</summary>
    public static HtmlForm From(CookieAwareClient client, IDocument page, string formSelector = "form")
    {
        ArgumentNullException.ThrowIfNull(page);
        var forms = page.QuerySelectorAll(formSelector).OfType<IHtmlFormElement>().ToList();
        return forms.Count switch
        {
            1 => new HtmlForm(client, forms[0]),
            0 => throw new InvalidOperationException($"No form matches '{formSelector}' on {page.Url}."),
            _ => throw new InvalidOperationException($"{forms.Count} forms match '{formSelector}' on {page.Url}; use a narrower selector."),
        };
    }

    /// <summary>Sets a text-like input, textarea or select, or picks a radio button by value.</summary>
    public HtmlForm Set(string name, string value)
    {
        var controls = Controls(name);
        switch (controls[0])
        {
            case IHtmlInputElement { Type: "radio" }:
                var radio = controls.OfType<IHtmlInputElement>().FirstOrDefault(r => r.Value == value)
                    ?? throw new InvalidOperationException($"Radio group '{name}' has no option '{value}'.");
                radio.IsChecked = true;
                break;
            case IHtmlInputElement { Type: "checkbox" }:
                throw new InvalidOperationException($"'{name}' is a checkbox; use Check or Uncheck.");
            case IHtmlInputElement input:
                input.Value = value;
                break;
            case IHtmlTextAreaElement textArea:
                textArea.Value = value;
                break;
            case IHtmlSelectElement select:
                var option = select.Options.FirstOrDefault(o => o.Value == value)
                    ?? throw new InvalidOperationException($"Select '{name}' has no option '{value}'.");
                foreach (var other in select.Options.Where(o => !select.IsMultiple || o == option))
                {
                    other.IsSelected = other == option;
                }

                break;
            default:
                throw new InvalidOperationException($"Field '{name}' is a {controls[0].TagName}, which Set cannot fill.");
        }

        return this;
    }

    /// <summary>Sets a value the form may not offer, as a forged POST would: a select gets the option first.</summary>
    public HtmlForm SetForged(string name, string value)
    {
        if (Controls(name)[0] is IHtmlSelectElement select && select.Options.All(o => o.Value != value))
        {
            var option = (IHtmlOptionElement)select.Owner!.CreateElement("option");
            option.Value = value;
            option.TextContent = "forged";
            select.AppendChild(option);
        }

        return Set(name, value);
    }

    /// <summary>Checks the checkbox named <paramref name="name"/> (the one with <paramref name="value"/> if several share the name).</summary>
    public HtmlForm Check(string name, string? value = null) => SetChecked(name, value, isChecked: true);

    public HtmlForm Uncheck(string name, string? value = null) => SetChecked(name, value, isChecked: false);

    /// <summary>The name/value pairs a browser would send now, in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields
    {
        get
        {
            var submission = Element.GetSubmission() ?? throw new InvalidOperationException("The form cannot be submitted.");
            string encoded;
            if (submission.Method == AngleSharp.Io.HttpMethod.Get)
            {
                encoded = submission.Target.Query ?? "";
            }
            else
            {
                using var reader = new StreamReader(submission.Body);
                encoded = reader.ReadToEnd();
            }

            var fields = System.Web.HttpUtility.ParseQueryString(encoded);
            return fields.AllKeys
                .SelectMany(k => fields.GetValues(k)!.Select(v => new KeyValuePair<string, string>(k!, v)))
                .ToList();
        }
    }

    /// <summary>
    /// Submits the form. <paramref name="submitButtonSelector"/> picks the button that was pressed
    /// (its name/value and formaction apply); without it, none is sent, like pressing Enter.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(string? submitButtonSelector = null)
    {
        IHtmlElement? submitter = null;
        if (submitButtonSelector is not null)
        {
            submitter = Element.QuerySelector(submitButtonSelector) as IHtmlElement
                ?? Element.Owner?.QuerySelector(submitButtonSelector) as IHtmlElement
                ?? throw new InvalidOperationException($"No submit button matches '{submitButtonSelector}'.");
        }

        var submission = (submitter is null ? Element.GetSubmission() : Element.GetSubmission(submitter))
            ?? throw new InvalidOperationException("The form cannot be submitted.");
        var target = new Uri(submission.Target.Href);
        // AngleSharp ignores the pressed button's formaction; browsers do not.
        if (submitter?.GetAttribute("formaction") is { Length: > 0 } formAction)
        {
            var baseUri = new Uri(Element.Owner?.BaseUri ?? _client.BaseAddress.ToString());
            target = new UriBuilder(new Uri(baseUri, formAction)) { Query = target.Query.TrimStart('?') }.Uri;
        }

        using var request = new HttpRequestMessage(new HttpMethod(submission.Method.ToString().ToUpperInvariant()), target);
        if (submission.Method != AngleSharp.Io.HttpMethod.Get)
        {
            using var buffer = new MemoryStream();
            await submission.Body.CopyToAsync(buffer);
            var content = new ByteArrayContent(buffer.ToArray());
            content.Headers.TryAddWithoutValidation("Content-Type", submission.MimeType);
            request.Content = content;
        }

        return await _client.Http.SendAsync(request);
    }

    private HtmlForm SetChecked(string name, string? value, bool isChecked)
    {
        var boxes = Controls(name).OfType<IHtmlInputElement>().Where(i => i.Type == "checkbox").ToList();
        var box = (value is null ? boxes.SingleOrDefault() : boxes.SingleOrDefault(b => b.Value == value))
            ?? throw new InvalidOperationException($"No single checkbox '{name}'{(value is null ? "" : $" with value '{value}'")}.");
        box.IsChecked = isChecked;
        return this;
    }

    private List<IHtmlElement> Controls(string name)
    {
        // Hidden inputs that share the name (ASP.NET's checkbox companions) are not what a user fills in.
        var controls = Element.Elements
            .Where(e => e.GetAttribute("name") == name)
            .Where(e => e is not IHtmlInputElement { Type: "hidden" } || Element.Elements.Count(x => x.GetAttribute("name") == name) == 1)
            .ToList();
        return controls.Count > 0
            ? controls
            : throw new InvalidOperationException(
                $"The form has no field '{name}'. Fields: {string.Join(", ", Element.Elements.Select(e => e.GetAttribute("name")).Where(n => n is not null).Distinct())}");
    }
}
