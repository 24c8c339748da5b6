using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Requests and complaints with their timelines, the Art. 19 tasks for recipient stores, and the
/// leases of the daily jobs. Written by hand without provider-specific column types.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000400_Requests")]
public sealed class Requests : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "PrivacyRequests",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Reference = table.Column<string>(maxLength: 20, nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                Kind = table.Column<int>(nullable: false),
                Status = table.Column<int>(nullable: false),
                Controllers = table.Column<string>(maxLength: 500, nullable: false),
                Details = table.Column<string>(maxLength: 4000, nullable: true),
                RectifyRecordId = table.Column<long>(nullable: true),
                RectifyField = table.Column<string>(maxLength: 100, nullable: true),
                RectifyOldValue = table.Column<string>(maxLength: 1000, nullable: true),
                RectifyValue = table.Column<string>(maxLength: 1000, nullable: true),
                PlanJson = table.Column<string>(nullable: true),
                OutcomeJson = table.Column<string>(nullable: true),
                ReceivedAt = table.Column<long>(nullable: false),
                FirstDueOn = table.Column<DateOnly>(nullable: false),
                DueOn = table.Column<DateOnly>(nullable: false),
                ExtensionMonths = table.Column<int>(nullable: false),
                ExtensionReason = table.Column<string>(maxLength: 4000, nullable: true),
                UpdatedAt = table.Column<long>(nullable: false),
                ClosedAt = table.Column<long>(nullable: true),
                IdempotencyKey = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PrivacyRequests", x => x.Id);
                table.ForeignKey("FK_PrivacyRequests_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "PrivacyRequestEvents",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                RequestId = table.Column<Guid>(nullable: false),
                OccurredAt = table.Column<long>(nullable: false),
                Kind = table.Column<int>(nullable: false),
                ActorId = table.Column<Guid>(nullable: true),
                ByStaff = table.Column<bool>(nullable: false),
                Text = table.Column<string>(maxLength: 8000, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PrivacyRequestEvents", x => x.Id);
                table.ForeignKey("FK_PrivacyRequestEvents_PrivacyRequests_RequestId", x => x.RequestId, "PrivacyRequests", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "RecipientTasks",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                StoreId = table.Column<string>(maxLength: 64, nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                RequestId = table.Column<Guid>(nullable: true),
                Kind = table.Column<int>(nullable: false),
                Payload = table.Column<string>(nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
                AcknowledgedAt = table.Column<long>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_RecipientTasks", x => x.Id));

        migrationBuilder.CreateTable(
            name: "JobLeases",
            columns: table => new
            {
                Name = table.Column<string>(maxLength: 100, nullable: false),
                LockedBy = table.Column<string>(maxLength: 100, nullable: true),
                LockedUntil = table.Column<long>(nullable: true),
                LastCompletedOn = table.Column<DateOnly>(nullable: true),
                LastCompletedAt = table.Column<long>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_JobLeases", x => x.Name));

        migrationBuilder.CreateIndex("IX_PrivacyRequests_Reference", "PrivacyRequests", "Reference", unique: true);
        migrationBuilder.CreateIndex("IX_PrivacyRequests_SubjectId_ReceivedAt", "PrivacyRequests", ["SubjectId", "ReceivedAt"]);
        migrationBuilder.CreateIndex("IX_PrivacyRequests_SubjectId_IdempotencyKey", "PrivacyRequests", ["SubjectId", "IdempotencyKey"], unique: true);
        migrationBuilder.CreateIndex("IX_PrivacyRequests_Status_DueOn", "PrivacyRequests", ["Status", "DueOn"]);
        migrationBuilder.CreateIndex("IX_PrivacyRequestEvents_RequestId_OccurredAt", "PrivacyRequestEvents", ["RequestId", "OccurredAt"]);
        migrationBuilder.CreateIndex("IX_RecipientTasks_StoreId_AcknowledgedAt_Id", "RecipientTasks", ["StoreId", "AcknowledgedAt", "Id"]);
        migrationBuilder.CreateIndex("IX_RecipientTasks_RequestId", "RecipientTasks", "RequestId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var table in new[] { "JobLeases", "RecipientTasks", "PrivacyRequestEvents", "PrivacyRequests" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}
