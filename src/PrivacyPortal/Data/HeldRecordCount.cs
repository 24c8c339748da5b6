namespace PrivacyPortal.Data;

/// <summary>
/// How many records a person has in one category of one controller. Kept by database triggers on
/// <c>HeldRecords</c> (migration <c>HeldRecordCounts</c>), so every writer (the store API, erasure,
/// the retention sweep, a cascade from a deleted account, a script in psql) keeps it right, and
/// my-data reads a few rows instead of counting thousands on every visit. Read-only for the app.
/// </summary>
public sealed class HeldRecordCount
{
    public Guid SubjectId { get; set; }

    public string ControllerId { get; set; } = "";

    public string CategoryId { get; set; } = "";

    public int Count { get; set; }
}
