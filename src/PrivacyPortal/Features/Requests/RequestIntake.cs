namespace PrivacyPortal.Features.Requests;

/// <summary>How a request reached the group; stored as numbers, so append only.</summary>
public enum RequestChannel
{
    /// <summary>Filed by the signed-in person on the portal (their sign-in is the identity check).</summary>
    Portal = 0,
    Email = 1,
    Phone = 2,
    Letter = 3,
    InStore = 4,
}

/// <summary>How staff made sure a request received outside the portal comes from the person (Art. 12(6)); stored as numbers.</summary>
public enum IdentityCheck
{
    /// <summary>A magic link sent to the address on file was followed, or the mail came from that address and was confirmed.</summary>
    MagicLinkToAddressOnFile = 0,
    KnownPhoneNumber = 1,
    IdShownInStore = 2,
    SignedLetterToAddressOnFile = 3,
    Other = 4,
}

/// <summary>
/// A request recorded by staff: the channel, the day it was received (the deadline counts from it,
/// not from data entry), how the identity was checked, and who recorded it.
/// </summary>
public sealed record RequestIntake(RequestChannel Channel, DateOnly ReceivedOn, IdentityCheck IdentityCheck, string IdentityNote, Guid StaffId)
{
    /// <summary>How far back a received day may be: older than this is a typing mistake more likely than a request.</summary>
    public const int MaxAgeYears = 1;

    public const int IdentityNoteLength = 1000;

    /// <summary>The channels staff record; the portal is the person's own.</summary>
    public static IReadOnlyList<RequestChannel> StaffChannels { get; } = [RequestChannel.Email, RequestChannel.Phone, RequestChannel.Letter, RequestChannel.InStore];
}
