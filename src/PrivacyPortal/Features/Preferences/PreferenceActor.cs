namespace PrivacyPortal.Features.Preferences;

/// <summary>
/// Who asks for a change and through which channel. Made only by the factory methods, so every
/// caller says plainly who it acts for; <see cref="MaySwitchOn"/> is what keeps staff, stores and
/// links from ever switching marketing back on (Art. 21(3)).
/// </summary>
public sealed record PreferenceActor
{
    private PreferenceActor(PreferenceActorKind kind, Guid? id, PreferenceChannel channel, string? storeId)
    {
        Kind = kind;
        Id = id;
        Channel = channel;
        StoreId = storeId;
    }

    public PreferenceActorKind Kind { get; }

    public Guid? Id { get; }

    public PreferenceChannel Channel { get; }

    public string? StoreId { get; }

    /// <summary>The signed-in person, on the portal.</summary>
    public static PreferenceActor Person(Guid subjectId) => new(PreferenceActorKind.Person, subjectId, PreferenceChannel.Portal, null);

    /// <summary>The signed unsubscribe link of a store's email: the page's button, or the mail client's one-click POST.</summary>
    public static PreferenceActor UnsubscribeLink(bool oneClick, string? storeId) =>
        new(PreferenceActorKind.UnsubscribeLink, null, oneClick ? PreferenceChannel.OneClick : PreferenceChannel.UnsubscribePage, storeId);

    /// <summary>Customer service recording a stop the person asked for by phone, mail or in a store.</summary>
    public static PreferenceActor Staff(Guid staffId, PreferenceChannel channel = PreferenceChannel.CustomerService) =>
        channel is PreferenceChannel.CustomerService or PreferenceChannel.Phone or PreferenceChannel.InStore
            ? new(PreferenceActorKind.Staff, staffId, channel, null)
            : throw new ArgumentOutOfRangeException(nameof(channel), channel, "Staff record stops received by phone, in a store or by customer service.");

    /// <summary>A store passing on a stop it received.</summary>
    public static PreferenceActor Store(string storeId) => new(PreferenceActorKind.Store, null, PreferenceChannel.StoreApi, storeId);

    /// <summary>
    /// Carrying out the erasure request <paramref name="requestId"/>; with a store, that store brought
    /// the erased address back and the suppression list stops its marketing again.
    /// </summary>
    public static PreferenceActor Erasure(Guid requestId, string? storeId = null) =>
        new(PreferenceActorKind.Erasure, requestId, storeId is null ? PreferenceChannel.ErasureRequest : PreferenceChannel.StoreApi, storeId);

    /// <summary>An erasure records every stop explicitly, over defaults too, so every store's feed carries it.</summary>
    public bool StopsDefaults => Kind == PreferenceActorKind.Erasure;

    /// <summary>
    /// Only the person themselves may subscribe, give consent or allow marketing again after an
    /// objection; anyone may record a stop on the person's behalf.
    /// </summary>
    public bool MaySwitchOn(Guid subjectId) => Kind == PreferenceActorKind.Person && Id == subjectId;
}
