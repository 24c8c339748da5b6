using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

public enum RequestMail
{
    Filed,
    StaffMessage,
    AskedForInformation,

    /// <summary>The person answered a question: the request is being handled again.</summary>
    ReplyReceived,
    Extended,
    Completed,
    Refused,
    Closed,

    /// <summary>Every purpose of an Art. 21(1) objection is decided.</summary>
    ObjectionDecided,
}

/// <summary>The person an email goes to, in their language.</summary>
public sealed record MailRecipient(string Email, string Culture);

/// <summary>
/// Emails about a request, in the person's preferred language, queued on the caller's unit of work
/// so they are saved with the change that causes them.
/// </summary>
public sealed class RequestEmails(
    Outbox outbox,
    EmailFooter footer,
    RequestTexts texts,
    IOptions<PortalOptions> portal,
    IStringLocalizer<Localization.Requests> text)
{
    public void Queue(RequestMail mail, PrivacyRequest request, MailRecipient to, string? message = null, IReadOnlyList<ErasurePlanLine>? lines = null, bool accountRemoved = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(to);
        if (string.IsNullOrEmpty(to.Email))
        {
            return;
        }

        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(to.Culture) ? to.Culture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var kind = texts.Kind(request.Kind);
        var reference = request.Reference;
        var paragraphs = new List<string>();
        string subject;
        string heading;
        switch (mail)
        {
            case RequestMail.Filed:
                // A complaint is not a request: its mail says complaint.
                var filed = request.Kind == RequestKind.Complaint ? ".Complaint" : "";
                subject = text["Email.Filed.Subject" + filed, kind, reference];
                heading = text["Email.Filed.Heading" + filed];
                paragraphs.Add(text["Email.Filed.Body" + filed, kind, reference, RequestTexts.Format(Deadlines.Day(request.ReceivedAt)), texts.Controllers(request.ControllerIds)]);
                if (request.Channel != RequestChannel.Portal)
                {
                    paragraphs.Add(text["Email.Filed.Channel", texts.Channel(request.Channel)]);
                }

                paragraphs.Add(text["Email.DueBy", RequestTexts.Format(request.DueOn)]);
                if (lines is { Count: > 0 })
                {
                    paragraphs.Add(text["Email.Plan.Intro"]);
                    paragraphs.AddRange(texts.Lines(lines, done: false, request.DueOn));
                }

                AddErasureNotes(paragraphs, request);

                if (request.Kind == RequestKind.Complaint)
                {
                    AddAuthorities(paragraphs, request);
                }

                break;
            case RequestMail.StaffMessage:
                subject = text["Email.Message.Subject", reference];
                heading = text["Email.Message.Heading"];
                paragraphs.Add(text["Email.Message.Body", kind, reference]);
                paragraphs.Add(message ?? "");
                break;
            case RequestMail.AskedForInformation:
                subject = text["Email.AskInfo.Subject", reference];
                heading = text["Email.AskInfo.Heading"];
                paragraphs.Add(text["Email.AskInfo.Body", kind, reference]);
                paragraphs.Add(message ?? "");
                paragraphs.Add(text["Email.AskInfo.Answer"]);
                break;
            case RequestMail.ReplyReceived:
                subject = text["Email.Reply.Subject", reference];
                heading = text["Email.Reply.Heading"];
                paragraphs.Add(text["Email.Reply.Body", kind, reference, RequestTexts.Format(request.DueOn)]);
                break;
            case RequestMail.Extended:
                subject = text["Email.Extended.Subject", reference];
                heading = text["Email.Extended.Heading"];
                paragraphs.Add(text["Email.Extended.Body", kind, reference, RequestTexts.Format(request.DueOn)]);
                paragraphs.Add(text["Email.Reasons", message ?? ""]);
                break;
            case RequestMail.Completed:
                subject = text["Email.Completed.Subject", reference];
                heading = text["Email.Completed.Heading"];
                paragraphs.Add(text["Email.Completed.Body", kind, reference]);
                if (lines is { Count: > 0 })
                {
                    paragraphs.Add(text["Email.Outcome.Intro"]);
                    paragraphs.AddRange(texts.Lines(lines, done: true));
                }

                AddErasureNotes(paragraphs, request);
                if (request.Kind == RequestKind.Erasure && lines is not null && lines.Any(l => l.Outcome != RecordOutcome.Erase && l.Outcome != RecordOutcome.Anonymise))
                {
                    // Keeping data is refusing part of the request: the person is told where to turn (Art. 12(4)).
                    AddAuthorities(paragraphs, request);
                    paragraphs.Add(text["Rights.JudicialRemedy"]);
                }

                if (request.Kind is RequestKind.Access or RequestKind.Portability)
                {
                    paragraphs.Add(text["Email.Completed.Export"]);
                }

                if (!string.IsNullOrWhiteSpace(message))
                {
                    paragraphs.Add(message);
                }

                if (accountRemoved)
                {
                    paragraphs.Add(text["Email.Completed.AccountRemoved"]);
                }

                break;
            case RequestMail.Refused:
                subject = text["Email.Refused.Subject", reference];
                heading = text["Email.Refused.Heading"];
                paragraphs.Add(text["Email.Refused.Body", kind, reference]);
                paragraphs.Add(text["Email.Reasons", message ?? ""]);
                AddAuthorities(paragraphs, request);
                paragraphs.Add(text["Rights.JudicialRemedy"]);
                break;
            default:
                subject = text["Email.Closed.Subject", reference];
                heading = text["Email.Closed.Heading"];
                paragraphs.Add(text["Email.Closed.Body", kind, reference]);
                if (!string.IsNullOrWhiteSpace(message))
                {
                    paragraphs.Add(message);
                }

                break;
        }

        Send(mail, request, to, culture, subject, heading, paragraphs, accountRemoved);
    }

    /// <summary>
    /// The reply to an Art. 21(1) objection once every purpose is decided: each decision, the grounds
    /// of each refusal, what happened to the data, and for refusals the authorities and the courts (Art. 12(4)).
    /// </summary>
    public void QueueObjectionDecided(PrivacyRequest request, MailRecipient to, IReadOnlyList<ObjectionDecision> decisions, IReadOnlyList<ErasurePlanLine> lines, string? message)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(decisions);
        if (string.IsNullOrEmpty(to.Email))
        {
            return;
        }

        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(to.Culture) ? to.Culture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var paragraphs = new List<string> { text["Email.Objection.Body", request.Reference] };
        foreach (var decision in decisions.OrderBy(d => request.ObjectionPurposeKeys.ToList().IndexOf(d.Key)))
        {
            var purpose = ObjectionPurposeOptions.Describe(texts.Policy, decision.Key, culture);
            paragraphs.Add(decision.Upheld ? text["Email.Objection.Upheld", purpose] : text["Email.Objection.Refused", purpose, decision.Grounds ?? ""]);
        }

        if (lines is { Count: > 0 })
        {
            paragraphs.Add(text["Email.Outcome.Intro"]);
            paragraphs.AddRange(texts.Lines(lines, done: true));
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            paragraphs.Add(message);
        }

        if (decisions.Any(d => !d.Upheld))
        {
            paragraphs.Add(text["Email.Objection.RestrictionEnds"]);
            AddAuthorities(paragraphs, request);
            paragraphs.Add(text["Rights.JudicialRemedy"]);
        }

        Send(RequestMail.ObjectionDecided, request, to, culture, text["Email.Objection.Subject", request.Reference], text["Email.Objection.Heading"], paragraphs, accountRemoved: false);
    }

    private void Send(RequestMail mail, PrivacyRequest request, MailRecipient to, CultureInfo culture, string subject, string heading, List<string> paragraphs, bool accountRemoved)
    {
        var content = EmailComposer.Compose(new EmailDraft(culture, subject, heading, paragraphs, footer.Lines())
        {
            Action = accountRemoved ? null : new EmailAction(portal.Value.Link($"/{culture.Name}/requests/{request.Id}"), text["Email.Open"]),
            Closing = [text["Email.Footer.Reference", request.Reference]],
        });
        outbox.Enqueue(to.Email, content, "request-" + mail.ToString().ToLowerInvariant());
    }

    private void AddErasureNotes(List<string> paragraphs, PrivacyRequest request)
    {
        if (request.Kind == RequestKind.Erasure)
        {
            paragraphs.Add(text["Plan.MarketingStops"]);
            paragraphs.Add(text["Plan.SuppressionNote"]);
        }
    }

    private void AddAuthorities(List<string> paragraphs, PrivacyRequest request)
    {
        paragraphs.Add(text["Rights.Complain"]);
        foreach (var (controller, authorities) in texts.Authorities(request.ControllerIds))
        {
            paragraphs.Add(controller + ": " + string.Join("; ", authorities.Select(RequestTexts.Describe)));
        }
    }
}
