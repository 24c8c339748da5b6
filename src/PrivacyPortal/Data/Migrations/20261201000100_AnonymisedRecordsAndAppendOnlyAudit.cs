using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// PrivacyRequests.ObjectionPurposes: the legitimate-interest purposes an Art. 21(1) objection names.
/// AnonymisedRecords: what erasure or the retention sweep keeps of a record whose category the
/// policy lets be anonymised, unlinked from the person.
/// The audit log is append-only in the database, not only by convention: triggers reject every
/// UPDATE and DELETE of AuditEvents (and TRUNCATE on PostgreSQL), whoever sends them. No code path
/// prunes the log (the retention sweep deletes held records, never audit lines), so there is no
/// exception to allow.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261201000100_AnonymisedRecordsAndAppendOnlyAudit")]
public sealed class AnonymisedRecordsAndAppendOnlyAudit : Migration
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>The text both databases give when a change of the log is refused.</summary>
    public const string Refusal = "AuditEvents is append-only";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "AnonymisedRecords",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ControllerId = table.Column<string>(maxLength: 64, nullable: false),
                CategoryId = table.Column<string>(maxLength: 64, nullable: false),
                Content = table.Column<string>(nullable: false),
                Year = table.Column<int>(nullable: false),
                AnonymisedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AnonymisedRecords", x => x.Id));
        migrationBuilder.CreateIndex("IX_AnonymisedRecords_ControllerId_CategoryId_Year", "AnonymisedRecords", ["ControllerId", "CategoryId", "Year"]);
        migrationBuilder.AddColumn<string>("ObjectionPurposes", "PrivacyRequests", maxLength: 2000, nullable: true);

        if (migrationBuilder.ActiveProvider == Postgres)
        {
            migrationBuilder.Sql($$"""
                CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '{{Refusal}}: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
                END
                $$;
                CREATE TRIGGER "TR_AuditEvents_AppendOnly" BEFORE UPDATE OR DELETE ON "AuditEvents"
                    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
                CREATE TRIGGER "TR_AuditEvents_NoTruncate" BEFORE TRUNCATE ON "AuditEvents"
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
                """);
        }
        else
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER "TR_AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents"
                BEGIN SELECT RAISE(ABORT, '{Refusal}: UPDATE is not allowed'); END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "TR_AuditEvents_NoDelete" BEFORE DELETE ON "AuditEvents"
                BEGIN SELECT RAISE(ABORT, '{Refusal}: DELETE is not allowed'); END;
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (migrationBuilder.ActiveProvider == Postgres)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "TR_AuditEvents_AppendOnly" ON "AuditEvents";
                DROP TRIGGER "TR_AuditEvents_NoTruncate" ON "AuditEvents";
                DROP FUNCTION audit_events_append_only();
                """);
        }
        else
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_AuditEvents_NoUpdate";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_AuditEvents_NoDelete";""");
        }

        migrationBuilder.DropTable("AnonymisedRecords");
        migrationBuilder.DropColumn("ObjectionPurposes", "PrivacyRequests");
    }
}
