using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Per person, controller and category, how many records are held, kept by triggers on
/// HeldRecords: my-data showed these counts by counting every record of the person on every visit,
/// which for a person with 10,000 records was a quarter of the page's time (docs/benchmarks.md).
/// SQLite gets row triggers; PostgreSQL gets statement triggers over transition tables, so a bulk
/// insert or the retention sweep's batch deletes update each count once per statement.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000800_HeldRecordCounts")]
public sealed class HeldRecordCounts : Migration
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "HeldRecordCounts",
            columns: table => new
            {
                SubjectId = table.Column<Guid>(nullable: false),
                ControllerId = table.Column<string>(maxLength: 64, nullable: false),
                CategoryId = table.Column<string>(maxLength: 64, nullable: false),
                Count = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_HeldRecordCounts", x => new { x.SubjectId, x.ControllerId, x.CategoryId });
                table.ForeignKey("FK_HeldRecordCounts_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.Sql("""
            INSERT INTO "HeldRecordCounts" ("SubjectId", "ControllerId", "CategoryId", "Count")
            SELECT "SubjectId", "ControllerId", "CategoryId", count(*) FROM "HeldRecords" GROUP BY "SubjectId", "ControllerId", "CategoryId"
            """);

        if (migrationBuilder.ActiveProvider == Postgres)
        {
            PostgresTriggers(migrationBuilder);
        }
        else
        {
            SqliteTriggers(migrationBuilder);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (migrationBuilder.ActiveProvider == Postgres)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "TR_HeldRecords_Counts_Insert" ON "HeldRecords";
                DROP TRIGGER "TR_HeldRecords_Counts_Delete" ON "HeldRecords";
                DROP TRIGGER "TR_HeldRecords_Counts_Update" ON "HeldRecords";
                DROP FUNCTION held_record_counts_inserted();
                DROP FUNCTION held_record_counts_deleted();
                DROP FUNCTION held_record_counts_updated();
                """);
        }
        else
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_HeldRecords_Counts_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_HeldRecords_Counts_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_HeldRecords_Counts_Update";""");
        }

        migrationBuilder.DropTable("HeldRecordCounts");
    }

    private static void SqliteTriggers(MigrationBuilder migrationBuilder)
    {
        // A count that reaches zero is removed, so the table only names categories the person has records in.
        const string Add = """
            INSERT INTO "HeldRecordCounts" ("SubjectId", "ControllerId", "CategoryId", "Count")
            VALUES (NEW."SubjectId", NEW."ControllerId", NEW."CategoryId", 1)
            ON CONFLICT ("SubjectId", "ControllerId", "CategoryId") DO UPDATE SET "Count" = "Count" + 1;
            """;
        const string Remove = """
            UPDATE "HeldRecordCounts" SET "Count" = "Count" - 1
            WHERE "SubjectId" = OLD."SubjectId" AND "ControllerId" = OLD."ControllerId" AND "CategoryId" = OLD."CategoryId";
            DELETE FROM "HeldRecordCounts"
            WHERE "SubjectId" = OLD."SubjectId" AND "ControllerId" = OLD."ControllerId" AND "CategoryId" = OLD."CategoryId" AND "Count" <= 0;
            """;
        migrationBuilder.Sql($"""
            CREATE TRIGGER "TR_HeldRecords_Counts_Insert" AFTER INSERT ON "HeldRecords"
            BEGIN
            {Add}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "TR_HeldRecords_Counts_Delete" AFTER DELETE ON "HeldRecords"
            BEGIN
            {Remove}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "TR_HeldRecords_Counts_Update" AFTER UPDATE OF "SubjectId", "ControllerId", "CategoryId" ON "HeldRecords"
            WHEN OLD."SubjectId" IS NOT NEW."SubjectId" OR OLD."ControllerId" IS NOT NEW."ControllerId" OR OLD."CategoryId" IS NOT NEW."CategoryId"
            BEGIN
            {Remove}
            {Add}
            END;
            """);
    }

    private static void PostgresTriggers(MigrationBuilder migrationBuilder)
    {
        // Keys in a fixed order, so two statements updating the same counts lock them in the same order.
        migrationBuilder.Sql("""
            CREATE FUNCTION held_record_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO "HeldRecordCounts" ("SubjectId", "ControllerId", "CategoryId", "Count")
                SELECT "SubjectId", "ControllerId", "CategoryId", count(*)::int FROM new_rows
                GROUP BY "SubjectId", "ControllerId", "CategoryId" ORDER BY 1, 2, 3
                ON CONFLICT ("SubjectId", "ControllerId", "CategoryId") DO UPDATE SET "Count" = "HeldRecordCounts"."Count" + EXCLUDED."Count";
                RETURN NULL;
            END $$;

            CREATE FUNCTION held_record_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE "HeldRecordCounts" AS c SET "Count" = c."Count" - d.n
                FROM (SELECT "SubjectId", "ControllerId", "CategoryId", count(*)::int AS n FROM old_rows
                      GROUP BY "SubjectId", "ControllerId", "CategoryId" ORDER BY 1, 2, 3) AS d
                WHERE c."SubjectId" = d."SubjectId" AND c."ControllerId" = d."ControllerId" AND c."CategoryId" = d."CategoryId";
                DELETE FROM "HeldRecordCounts" WHERE "Count" <= 0 AND "SubjectId" IN (SELECT "SubjectId" FROM old_rows);
                RETURN NULL;
            END $$;

            CREATE FUNCTION held_record_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO "HeldRecordCounts" ("SubjectId", "ControllerId", "CategoryId", "Count")
                SELECT "SubjectId", "ControllerId", "CategoryId", sum(n)::int
                FROM (SELECT "SubjectId", "ControllerId", "CategoryId", -1 AS n FROM old_rows
                      UNION ALL
                      SELECT "SubjectId", "ControllerId", "CategoryId", 1 AS n FROM new_rows) AS changes
                GROUP BY "SubjectId", "ControllerId", "CategoryId" HAVING sum(n) <> 0 ORDER BY 1, 2, 3
                ON CONFLICT ("SubjectId", "ControllerId", "CategoryId") DO UPDATE SET "Count" = "HeldRecordCounts"."Count" + EXCLUDED."Count";
                DELETE FROM "HeldRecordCounts" WHERE "Count" <= 0 AND "SubjectId" IN (SELECT "SubjectId" FROM old_rows);
                RETURN NULL;
            END $$;

            CREATE TRIGGER "TR_HeldRecords_Counts_Insert" AFTER INSERT ON "HeldRecords"
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION held_record_counts_inserted();
            CREATE TRIGGER "TR_HeldRecords_Counts_Delete" AFTER DELETE ON "HeldRecords"
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION held_record_counts_deleted();
            CREATE TRIGGER "TR_HeldRecords_Counts_Update" AFTER UPDATE ON "HeldRecords"
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION held_record_counts_updated();
            """);
    }
}
