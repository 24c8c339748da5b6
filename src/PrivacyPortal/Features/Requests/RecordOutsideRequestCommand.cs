using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// What staff type in for a request received outside the portal. Kind, channel and identity check
/// arrive as the form's text, so a forged value is refused with a message rather than bound to a default.
/// </summary>
public sealed record OutsideRequestInput(
    string? Kind,
    string? Channel,
    DateOnly? ReceivedOn,
    string? Details,
    string? IdentityCheck,
    string? IdentityNote,
    string? Email,
    string? NewPersonName,
    string? NewPersonCulture,
    IReadOnlyList<string> ControllerIds,
    Guid IdempotencyKey);

/// <summary>
/// Records a request that came by email, phone, letter or in a store for the person with the
/// address (an existing account, or a new one created with it), then files it like the person's
/// own (<see cref="FileRequestCommand"/>): one unit of work, so bad input saves nothing, not even
/// the new person. Error keys starting with <c>Record.</c> are in the Staff resource, the others in Requests.
/// </summary>
public sealed class RecordOutsideRequestCommand(PortalDbContext db, FileRequestCommand file, TimeProvider time)
{
    /// <summary>Kinds staff record here; a rectification names a record and field of the person's data, which the person picks on the portal.</summary>
    public static IReadOnlyList<RequestKind> Kinds { get; } =
        [RequestKind.Access, RequestKind.Erasure, RequestKind.Restriction, RequestKind.Objection, RequestKind.Portability, RequestKind.Complaint];

    public async Task<FileRequestResult> ExecuteAsync(Guid staffId, OutsideRequestInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();
        var kind = Parse<RequestKind>(input.Kind, Kinds);
        if (kind is null)
        {
            errors.Add(new FieldError("Kind", "Record.Error.Kind"));
        }

        var channel = Parse<RequestChannel>(input.Channel, RequestIntake.StaffChannels);
        if (channel is null)
        {
            errors.Add(new FieldError("Channel", "Record.Error.Channel"));
        }

        var today = Deadlines.Day(time.GetUtcNow());
        if (input.ReceivedOn is not { } receivedOn)
        {
            errors.Add(new FieldError("ReceivedOn", "Record.Error.ReceivedOnRequired"));
        }
        else if (receivedOn > today)
        {
            errors.Add(new FieldError("ReceivedOn", "Record.Error.ReceivedInFuture"));
        }
        else if (receivedOn < today.AddYears(-RequestIntake.MaxAgeYears))
        {
            errors.Add(new FieldError("ReceivedOn", "Record.Error.ReceivedTooLongAgo", [RequestIntake.MaxAgeYears]));
        }

        var check = Parse<IdentityCheck>(input.IdentityCheck, Enum.GetValues<IdentityCheck>());
        var note = string.IsNullOrWhiteSpace(input.IdentityNote) ? null : input.IdentityNote.Trim();
        if (check is null)
        {
            errors.Add(new FieldError("IdentityCheck", "Record.Error.IdentityCheck"));
        }
        else if (note is null)
        {
            errors.Add(new FieldError("IdentityNote", "Record.Error.IdentityNote"));
        }
        else if (note.Length > RequestIntake.IdentityNoteLength)
        {
            errors.Add(new FieldError("IdentityNote", "Error.TooLong", [RequestIntake.IdentityNoteLength, note.Length]));
        }

        DataSubject? person = null;
        if (!EmailAddress.TryNormalize(input.Email, out var email))
        {
            errors.Add(new FieldError("Email", "Record.Error.Email"));
        }
        else
        {
            var lookup = email.ToUpperInvariant();
            person = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == lookup, cancellationToken);
            if (person is { Kind: AccountKind.Staff })
            {
                errors.Add(new FieldError("Email", "Record.Error.StaffAddress"));
            }
        }

        if (errors.Count > 0)
        {
            return new FileRequestResult(null, errors);
        }

        person ??= NewPerson(email, input.NewPersonName, input.NewPersonCulture);
        var result = await file.ExecuteAsync(
            person.Id,
            new FileRequestInput(kind!.Value, input.ControllerIds, input.Details, input.IdempotencyKey),
            cancellationToken,
            new RequestIntake(channel!.Value, input.ReceivedOn!.Value, check!.Value, note!, staffId));
        if (!result.Succeeded)
        {
            // Nothing of a refused form stays behind, the new person included.
            db.ChangeTracker.Clear();
        }

        return result;
    }

    private DataSubject NewPerson(string email, string? name, string? culture)
    {
        var person = new DataSubject
        {
            Id = Guid.NewGuid(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            SecurityStamp = Guid.NewGuid().ToString("N"),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
            Kind = AccountKind.Consumer,
            DisplayName = string.IsNullOrWhiteSpace(name) ? "" : name.Trim()[..Math.Min(name.Trim().Length, 200)],
            PreferredCulture = PortalCultures.IsSupported(culture ?? "") ? culture! : PortalCultures.Default,
            CreatedAt = time.GetUtcNow(),
        };
        db.Users.Add(person);
        return person;
    }

    /// <summary>Only a name of the list; numbers and anything else are refused, never read as the first value.</summary>
    private static T? Parse<T>(string? value, IReadOnlyList<T> allowed)
        where T : struct, Enum =>
        allowed.FirstOrDefault(a => string.Equals(a.ToString(), value, StringComparison.Ordinal)) is var found
            && allowed.Contains(found) && string.Equals(found.ToString(), value, StringComparison.Ordinal)
            ? found
            : null;
}
