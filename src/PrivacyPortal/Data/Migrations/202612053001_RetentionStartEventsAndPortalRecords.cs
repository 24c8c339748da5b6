using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// HeldRecords.RelationshipActive: a store's word that the customer relationship is still active.
/// AspNetUsers.LastSignInAt: a sign-in keeps the relationship active too.
/// AuditUnlinkPermits and the new AuditEvents triggers: the one change the append-only log allows.
/// An UPDATE goes through only while the updating transaction holds a permit row (the retention
/// sweep inserts it and deletes it before it commits, so no other transaction sees it), and only
/// if it clears SubjectId, ActorId and IpAddress and leaves every other column as it was. DELETE
/// and TRUNCATE stay refused without exception; the lines outlive the people they named.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612053001_RetentionStartEventsAndPortalRecords")]
public sealed class RetentionStartEventsAndPortalRecords : Migration
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private const string Refusal = AnonymisedRecordsAndAppendOnlyAudit.Refusal;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<bool>("RelationshipActive", "HeldRecords", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<long>("LastSignInAt", "AspNetUsers", nullable: true);
        migrationBuilder.CreateTable(
            name: "AuditUnlinkPermits",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                GrantedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditUnlinkPermits", x => x.Id));

        if (migrationBuilder.ActiveProvider == Postgres)
        {
            // The default only fills existing rows; the model has none (SQLite cannot drop one, and needs none dropped).
            migrationBuilder.Sql("""ALTER TABLE "HeldRecords" ALTER COLUMN "RelationshipActive" DROP DEFAULT;""");
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        IF EXISTS (SELECT 1 FROM "AuditUnlinkPermits")
                            AND NEW."Id" = OLD."Id" AND NEW."OccurredAt" = OLD."OccurredAt" AND NEW."Action" = OLD."Action"
                            AND NEW."Detail" IS NOT DISTINCT FROM OLD."Detail"
                            AND NEW."SubjectId" IS NULL AND NEW."ActorId" IS NULL AND NEW."IpAddress" IS NULL THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                    RAISE EXCEPTION '{{Refusal}}: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
                END
                $$;
                """);
        }
        else
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_AuditEvents_NoUpdate";""");
            migrationBuilder.Sql($"""
                CREATE TRIGGER "TR_AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents"
                WHEN NOT (EXISTS (SELECT 1 FROM "AuditUnlinkPermits")
                    AND NEW."Id" = OLD."Id" AND NEW."OccurredAt" = OLD."OccurredAt" AND NEW."Action" = OLD."Action"
                    AND NEW."Detail" IS OLD."Detail"
                    AND NEW."SubjectId" IS NULL AND NEW."ActorId" IS NULL AND NEW."IpAddress" IS NULL)
                BEGIN SELECT RAISE(ABORT, '{Refusal}: UPDATE is not allowed'); END;
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (migrationBuilder.ActiveProvider == Postgres)
        {
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '{{Refusal}}: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
                END
                $$;
                """);
        }
        else
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_AuditEvents_NoUpdate";""");
            migrationBuilder.Sql($"""
                CREATE TRIGGER "TR_AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents"
                BEGIN SELECT RAISE(ABORT, '{Refusal}: UPDATE is not allowed'); END;
                """);
        }

        migrationBuilder.DropTable("AuditUnlinkPermits");
        migrationBuilder.DropColumn("LastSignInAt", "AspNetUsers");
        migrationBuilder.DropColumn("RelationshipActive", "HeldRecords");
    }
}
