using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;

namespace PrivacyPortal.Pages.MyData;

/// <summary>What my-data reads for one visit, besides the session check that runs before the page.</summary>
/// <param name="Person">Null when the account is gone.</param>
/// <param name="Latest">Per category, the newest dates with and without the store's "still active" word (<see cref="CustomerRelationships"/>).</param>
/// <param name="StaffAccess">The person's newest impersonations, newest first.</param>
internal sealed record MyDataReads(
    IndexModel.PersonView? Person,
    DateTimeOffset? LastSignInAt,
    IReadOnlyList<CategoryRecords> Categories,
    IReadOnlyList<CustomerRelationships.LatestInCategory> Latest,
    IReadOnlyList<OpenObjection> OpenObjections,
    IReadOnlyList<DecidedPurpose> Decisions,
    IReadOnlyList<ImpersonationSession> StaffAccess);

/// <summary>
/// my-data's reads on PostgreSQL in one round trip: the person with the last sign-in, every category
/// with its count, oldest date, customer-relationship dates and newest records (or the opened
/// category's page), the open objections and the decisions on them, and the "Access by customer
/// service" list, sent as one <see cref="NpgsqlBatch"/>. As separate queries (the services' own,
/// which SQLite still runs: in process they cost no round trip) the page made 7 round trips after
/// the session check; on two cores the driver's work and the wake-ups of both processes per round
/// trip, not the statements (a few hundredths of a millisecond each on the server), were most of
/// the page's database time (pg_stat_statements, docs/benchmarks.md).
/// </summary>
internal static class MyDataBatchQuery
{
    // DateTimeOffset columns hold UTC ticks (PortalDbContext's converter); enums are integers.
    private const string PersonSql = """
        SELECT "DisplayName", "Email", "Kind", "CompanyName", "CompanyRegistrationCode", "JobTitle", "LastSignInAt"
        FROM "AspNetUsers"
        WHERE "Id" = $1
        """;

    // Per category: the values of the category come from a subquery fenced with OFFSET 0, so they
    // are computed once per category, not again for each of its records the LATERAL join adds.
    // The two relationship dates are index seeks (the partial index on RelationshipActive, and a
    // backward scan of the person/category index that stops at the first record without the word).
    private const string CategoriesSql = """
        SELECT c."ControllerId", c."CategoryId", c."Count", c."Oldest", c."SaidActive", c."Other",
               r."Id", r."Summary", r."Content", r."RetentionFrom", r."Restricted"
        FROM (
            SELECT k."SubjectId", k."ControllerId", k."CategoryId", k."Count",
                   (SELECT min(o."RetentionFrom") FROM "HeldRecords" AS o
                    WHERE o."SubjectId" = k."SubjectId" AND o."ControllerId" = k."ControllerId" AND o."CategoryId" = k."CategoryId") AS "Oldest",
                   (SELECT max(a."RetentionFrom") FROM "HeldRecords" AS a
                    WHERE a."SubjectId" = k."SubjectId" AND a."ControllerId" = k."ControllerId" AND a."CategoryId" = k."CategoryId" AND a."RelationshipActive") AS "SaidActive",
                   (SELECT max(n."RetentionFrom") FROM "HeldRecords" AS n
                    WHERE n."SubjectId" = k."SubjectId" AND n."ControllerId" = k."ControllerId" AND n."CategoryId" = k."CategoryId" AND NOT n."RelationshipActive") AS "Other"
            FROM "HeldRecordCounts" AS k
            WHERE k."SubjectId" = $1 AND k."Count" > 0
            OFFSET 0
        ) AS c
        LEFT JOIN LATERAL (
            SELECT h."Id", h."Summary", h."Content", h."RetentionFrom", h."RestrictedAt" IS NOT NULL AS "Restricted"
            FROM "HeldRecords" AS h
            WHERE h."SubjectId" = c."SubjectId" AND h."ControllerId" = c."ControllerId" AND h."CategoryId" = c."CategoryId"
            ORDER BY h."RetentionFrom" DESC, h."Id" DESC
            LIMIT CASE WHEN c."ControllerId" || '/' || c."CategoryId" = $2 THEN $4 ELSE $5 END
            OFFSET CASE WHEN c."ControllerId" || '/' || c."CategoryId" = $2 THEN $3 ELSE 0 END
        ) AS r ON TRUE
        ORDER BY c."ControllerId", c."CategoryId", r."RetentionFrom" DESC, r."Id" DESC
        """;

    private static readonly string OpenObjectionsSql = string.Create(CultureInfo.InvariantCulture, $"""
        SELECT "Id", "ObjectionPurposes"
        FROM "PrivacyRequests"
        WHERE "SubjectId" = $1 AND "Kind" = {(int)RequestKind.Objection} AND "ObjectionPurposes" IS NOT NULL
          AND "Status" IN ({(int)RequestStatus.Received}, {(int)RequestStatus.InProgress}, {(int)RequestStatus.AwaitingPerson})
        """);

    private const string DecisionsSql = """
        SELECT "RequestId", "ControllerId", "PurposeId", "Upheld"
        FROM "ObjectionDecisions"
        WHERE "SubjectId" = $1
        """;

    private const string StaffAccessSql = """
        SELECT "StaffName", "StartedAt", "ExpiresAt", "EndedAt", "Reason", "Ticket"
        FROM "ImpersonationSessions"
        WHERE "CustomerId" = $1
        ORDER BY "StartedAt" DESC
        LIMIT $2
        """;

    /// <summary>
    /// The page's reads for <paramref name="subjectId"/>; the category keyed <paramref name="openKey"/>
    /// (<c>controller/category</c>) gets page <paramref name="page"/> of <paramref name="pageSize"/>
    /// records, every other one its newest <paramref name="perCategory"/>. The connection must be open.
    /// </summary>
    public static async Task<MyDataReads> LoadAsync(
        NpgsqlConnection connection, Guid subjectId, string? openKey, int page, int perCategory, int pageSize, int staffAccessShown, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(PersonSql, subjectId));
        var categories = Command(CategoriesSql, subjectId);
        categories.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)openKey ?? DBNull.Value });
        categories.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (page - 1) * (long)pageSize });
        categories.Parameters.Add(new NpgsqlParameter<long> { TypedValue = pageSize });
        categories.Parameters.Add(new NpgsqlParameter<long> { TypedValue = perCategory });
        batch.BatchCommands.Add(categories);
        batch.BatchCommands.Add(Command(OpenObjectionsSql, subjectId));
        batch.BatchCommands.Add(Command(DecisionsSql, subjectId));
        var staff = Command(StaffAccessSql, subjectId);
        staff.Parameters.Add(new NpgsqlParameter<long> { TypedValue = staffAccessShown });
        batch.BatchCommands.Add(staff);

        // Prepared statements are kept per physical connection, so after the first visit on a
        // pooled connection these are found already parsed and planned on the server.
        await batch.PrepareAsync(cancellationToken);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        IndexModel.PersonView? person = null;
        DateTimeOffset? lastSignIn = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            person = new IndexModel.PersonView(
                reader.GetString(0),
                reader.IsDBNull(1) ? "" : reader.GetString(1),
                (AccountKind)reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5));
            lastSignIn = reader.IsDBNull(6) ? null : Ticks(reader.GetInt64(6));
        }

        await reader.NextResultAsync(cancellationToken);
        var groups = new List<CategoryRecords>();
        var latest = new List<CustomerRelationships.LatestInCategory>();
        List<IndexModel.RecordView>? records = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var controllerId = reader.GetString(0);
            var categoryId = reader.GetString(1);
            if (groups.Count == 0 || groups[^1].ControllerId != controllerId || groups[^1].CategoryId != categoryId)
            {
                records = [];
                groups.Add(new CategoryRecords(controllerId, categoryId, reader.GetInt32(2), DateOrNull(reader, 3), records));
                latest.Add(new CustomerRelationships.LatestInCategory(controllerId, categoryId, DateOrNull(reader, 4), DateOrNull(reader, 5)));
            }

            // No record on the asked page (a page past the end): the category is still listed.
            if (!reader.IsDBNull(6))
            {
                records!.Add(new IndexModel.RecordView(
                    reader.GetInt64(6),
                    reader.GetString(7),
                    reader.GetString(8),
                    reader.GetFieldValue<DateOnly>(9),
                    reader.GetBoolean(10)));
            }
        }

        await reader.NextResultAsync(cancellationToken);
        var open = new List<OpenObjection>();
        while (await reader.ReadAsync(cancellationToken))
        {
            open.Add(new OpenObjection(reader.GetGuid(0), reader.GetString(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        var decisions = new List<DecidedPurpose>();
        while (await reader.ReadAsync(cancellationToken))
        {
            decisions.Add(new DecidedPurpose(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        var sessions = new List<ImpersonationSession>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(new ImpersonationSession
            {
                StaffName = reader.GetString(0),
                StartedAt = Ticks(reader.GetInt64(1)),
                ExpiresAt = Ticks(reader.GetInt64(2)),
                EndedAt = reader.IsDBNull(3) ? null : Ticks(reader.GetInt64(3)),
                Reason = reader.GetString(4),
                Ticket = reader.GetString(5),
            });
        }

        return new MyDataReads(person, lastSignIn, groups, latest, open, decisions, sessions);
    }

    private static NpgsqlBatchCommand Command(string sql, Guid subjectId)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = subjectId });
        return command;
    }

    private static DateTimeOffset Ticks(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateOnly? DateOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);
}
