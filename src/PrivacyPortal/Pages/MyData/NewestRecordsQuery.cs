using System.Data.Common;
using Microsoft.EntityFrameworkCore;
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
/// my-data's records on SQLite (PostgreSQL reads them with the page's other queries in one round
/// trip, <see cref="MyDataBatchQuery"/>): a page of one person's records in one category, newest
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

    // Quoted identifiers, as everywhere in the portal, though only SQLite runs it.
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
