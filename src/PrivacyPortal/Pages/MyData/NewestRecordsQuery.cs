using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using PrivacyPortal.Data;

namespace PrivacyPortal.Pages.MyData;

/// <summary>One of the person's categories on my-data: how many records, the oldest one's date, and the records shown.</summary>
internal sealed record CategoryRecords(string ControllerId, string CategoryId, int Count, DateOnly? Oldest, IReadOnlyList<IndexModel.RecordView> Records)
{
    public string Key => $"{ControllerId}/{CategoryId}";
}

/// <summary>
/// my-data's records: on PostgreSQL one statement for all of the person's categories
/// (<see cref="LoadAsync"/>); on SQLite, a page of one person's records in one category, newest
/// first, for each of the person's categories in turn: one prepared database command, run once per
/// category with that category's values. my-data asks this ten times or more per visit. As ten EF queries, SQLite compiled the
/// same SQL ten times (its driver keeps no statements across commands): compiling SQL was a fifth
/// of the page's CPU time (perf profile, docs/benchmarks.md). The parameters are made by EF's type
/// mappings of the columns, so the values are converted as EF stores them (SQLite keeps a Guid as text).
/// </summary>
internal sealed class NewestRecordsQuery : IAsyncDisposable
{
    /// <summary>
    /// Every category the person has records in, with its count, its oldest record's date and its
    /// newest <paramref name="perCategory"/> records; the category keyed <paramref name="openKey"/>
    /// (<c>controller/category</c>) gets page <paramref name="page"/> of <paramref name="pageSize"/> instead.
    /// In no particular order of categories. The context's connection must be open.
    /// </summary>
    public static async Task<IReadOnlyList<CategoryRecords>> LoadAsync(
        PortalDbContext db, Guid subjectId, string? openKey, int page, int perCategory, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.GetDbConnection() is NpgsqlConnection connection)
        {
            return await InOneStatementAsync(connection, subjectId, openKey, (page - 1) * pageSize, pageSize, perCategory, cancellationToken);
        }

        var groups = new List<IndexModel.CategoryCount>();
        await foreach (var group in CountsQuery.For(db)(db, subjectId).WithCancellation(cancellationToken))
        {
            groups.Add(group);
        }

        var result = new List<CategoryRecords>(groups.Count);
        await using var newest = await PrepareAsync(db, subjectId, cancellationToken);
        foreach (var (controllerId, categoryId, count) in groups)
        {
            var isOpen = string.Equals(openKey, $"{controllerId}/{categoryId}", StringComparison.Ordinal);
            var records = await newest.ReadAsync(controllerId, categoryId, isOpen ? (page - 1) * pageSize : 0, isOpen ? pageSize : perCategory, cancellationToken);
            result.Add(new CategoryRecords(controllerId, categoryId, count, await newest.OldestAsync(controllerId, categoryId, cancellationToken), records));
        }

        return result;
    }

    private static readonly PerModelQuery<Func<PortalDbContext, Guid, IAsyncEnumerable<IndexModel.CategoryCount>>> CountsQuery = new(() =>
        // Kept by triggers on HeldRecords: counting the records themselves took 3 ms for a person with 10,000.
        EF.CompileAsyncQuery((PortalDbContext db, Guid subjectId) => db.Set<HeldRecordCount>().AsNoTracking()
            .Where(c => c.SubjectId == subjectId && c.Count > 0)
            .Select(c => new IndexModel.CategoryCount(c.ControllerId, c.CategoryId, c.Count))));

    // PostgreSQL: the counts, the oldest dates and the newest records of every category in one
    // statement, one round trip. As a statement per category (what SQLite runs, in process) the page
    // made 24 round trips for a person with twelve categories, and on two cores the context switches
    // and the driver's work per round trip, not the queries, were most of the page's database time
    // (pg_stat_statements: 0.02-0.03 ms per statement on the server; docs/benchmarks.md).
    private const string OneStatementSql = """
        SELECT c."ControllerId", c."CategoryId", c."Count",
               (SELECT min(o."RetentionFrom") FROM "HeldRecords" AS o
                WHERE o."SubjectId" = c."SubjectId" AND o."ControllerId" = c."ControllerId" AND o."CategoryId" = c."CategoryId"),
               r."Id", r."Summary", r."Content", r."RetentionFrom", r."Restricted"
        FROM "HeldRecordCounts" AS c
        LEFT JOIN LATERAL (
            SELECT h."Id", h."Summary", h."Content", h."RetentionFrom", h."RestrictedAt" IS NOT NULL AS "Restricted"
            FROM "HeldRecords" AS h
            WHERE h."SubjectId" = c."SubjectId" AND h."ControllerId" = c."ControllerId" AND h."CategoryId" = c."CategoryId"
            ORDER BY h."RetentionFrom" DESC, h."Id" DESC
            LIMIT CASE WHEN c."ControllerId" || '/' || c."CategoryId" = $2 THEN $4 ELSE $5 END
            OFFSET CASE WHEN c."ControllerId" || '/' || c."CategoryId" = $2 THEN $3 ELSE 0 END
        ) AS r ON TRUE
        WHERE c."SubjectId" = $1 AND c."Count" > 0
        ORDER BY c."ControllerId", c."CategoryId", r."RetentionFrom" DESC, r."Id" DESC
        """;

    private static async Task<IReadOnlyList<CategoryRecords>> InOneStatementAsync(
        NpgsqlConnection connection, Guid subjectId, string? openKey, int skip, int pageSize, int perCategory, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(OneStatementSql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = subjectId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)openKey ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = skip });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = pageSize });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = perCategory });
        // Prepared statements are kept per physical connection, so after the first visit on a
        // pooled connection this finds the statement already parsed and planned on the server.
        await command.PrepareAsync(cancellationToken);
        var result = new List<CategoryRecords>();
        List<IndexModel.RecordView>? records = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var controllerId = reader.GetString(0);
            var categoryId = reader.GetString(1);
            if (result.Count == 0 || result[^1].ControllerId != controllerId || result[^1].CategoryId != categoryId)
            {
                records = [];
                result.Add(new CategoryRecords(controllerId, categoryId, reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3), records));
            }

            // No record on the asked page (a page past the end): the category is still listed.
            if (!reader.IsDBNull(4))
            {
                records!.Add(new IndexModel.RecordView(
                    reader.GetInt64(4),
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.GetFieldValue<DateOnly>(7),
                    reader.GetBoolean(8)));
            }
        }

        return result;
    }

    // Plain SQL that SQLite and PostgreSQL read alike; the tests run the page on both.
    private const string Sql = """
        SELECT "Id", "Summary", "Content", "RetentionFrom", "RestrictedAt" IS NOT NULL
        FROM "HeldRecords"
        WHERE "SubjectId" = @subjectId AND "ControllerId" = @controllerId AND "CategoryId" = @categoryId
        ORDER BY "RetentionFrom" DESC, "Id" DESC
        LIMIT @take OFFSET @skip
        """;

    // MIN over the (SubjectId, ControllerId, CategoryId, RetentionFrom) index is one index seek, however many records.
    private const string OldestSql = """
        SELECT MIN("RetentionFrom")
        FROM "HeldRecords"
        WHERE "SubjectId" = @subjectId AND "ControllerId" = @controllerId AND "CategoryId" = @categoryId
        """;

    private readonly DbCommand command;
    private readonly DbParameter controller;
    private readonly DbParameter category;
    private readonly DbParameter skip;
    private readonly DbParameter take;
    private readonly DbCommand oldest;
    private readonly DbParameter oldestController;
    private readonly DbParameter oldestCategory;

    private NewestRecordsQuery(DbCommand command, DbParameter controller, DbParameter category, DbParameter skip, DbParameter take,
        DbCommand oldest, DbParameter oldestController, DbParameter oldestCategory)
    {
        this.command = command;
        this.controller = controller;
        this.category = category;
        this.skip = skip;
        this.take = take;
        this.oldest = oldest;
        this.oldestController = oldestController;
        this.oldestCategory = oldestCategory;
    }

    /// <summary>The command for <paramref name="subjectId"/>'s records, on the context's connection (which must be open).</summary>
    private static async Task<NewestRecordsQuery> PrepareAsync(PortalDbContext db, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var records = db.Model.FindEntityType(typeof(HeldRecord))!;
        RelationalTypeMapping MappingOf(string property) => records.FindProperty(property)!.GetRelationalTypeMapping();
        var intMapping = db.GetService<IRelationalTypeMappingSource>().FindMapping(typeof(int))!;

        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = Sql;
        command.Parameters.Add(MappingOf(nameof(HeldRecord.SubjectId)).CreateParameter(command, "subjectId", subjectId, nullable: false));
        var controller = MappingOf(nameof(HeldRecord.ControllerId)).CreateParameter(command, "controllerId", "", nullable: false);
        var category = MappingOf(nameof(HeldRecord.CategoryId)).CreateParameter(command, "categoryId", "", nullable: false);
        var take = intMapping.CreateParameter(command, "take", 0, nullable: false);
        var skip = intMapping.CreateParameter(command, "skip", 0, nullable: false);
        command.Parameters.AddRange(new[] { controller, category, take, skip });
        // Without an explicit Prepare, SQLite's driver compiles the SQL again on each run.
        await command.PrepareAsync(cancellationToken);

        var oldest = db.Database.GetDbConnection().CreateCommand();
        oldest.CommandText = OldestSql;
        oldest.Parameters.Add(MappingOf(nameof(HeldRecord.SubjectId)).CreateParameter(oldest, "subjectId", subjectId, nullable: false));
        var oldestController = MappingOf(nameof(HeldRecord.ControllerId)).CreateParameter(oldest, "controllerId", "", nullable: false);
        var oldestCategory = MappingOf(nameof(HeldRecord.CategoryId)).CreateParameter(oldest, "categoryId", "", nullable: false);
        oldest.Parameters.AddRange(new[] { oldestController, oldestCategory });
        await oldest.PrepareAsync(cancellationToken);
        return new NewestRecordsQuery(command, controller, category, skip, take, oldest, oldestController, oldestCategory);
    }

    private async Task<IReadOnlyList<IndexModel.RecordView>> ReadAsync(
        string controllerId, string categoryId, int skipRecords, int takeRecords, CancellationToken cancellationToken)
    {
        controller.Value = controllerId;
        category.Value = categoryId;
        skip.Value = skipRecords;
        take.Value = takeRecords;
        var records = new List<IndexModel.RecordView>(takeRecords);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // The row is in memory once ReadAsync has returned, so the columns are read synchronously.
            records.Add(new IndexModel.RecordView(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<DateOnly>(3),
                reader.GetBoolean(4)));
        }

        return records;
    }

    /// <summary>
    /// The date the person's oldest record of the category counts its retention from: retention
    /// ends grow with that date under every rule, so this record is the first to go.
    /// </summary>
    private async Task<DateOnly?> OldestAsync(string controllerId, string categoryId, CancellationToken cancellationToken)
    {
        oldestController.Value = controllerId;
        oldestCategory.Value = categoryId;
        await using var reader = await oldest.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateOnly>(0) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await command.DisposeAsync();
        await oldest.DisposeAsync();
    }
}
