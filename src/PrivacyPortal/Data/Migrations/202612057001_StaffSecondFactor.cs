using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// The staff second factor's atomic counters (failed attempts, lockout, the last accepted TOTP time
/// step) and the one-time enrolment invitations (token hashes only).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612057001_StaffSecondFactor")]
public sealed class StaffSecondFactor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "StaffAuthenticators",
            columns: table => new
            {
                UserId = table.Column<Guid>(nullable: false),
                FailedCount = table.Column<int>(nullable: false),
                LockedUntil = table.Column<long>(nullable: true),
                LastUsedStep = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_StaffAuthenticators", x => x.UserId);
                table.ForeignKey("FK_StaffAuthenticators_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "StaffInvitations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                CreatedBy = table.Column<Guid>(nullable: true),
                CreatedAt = table.Column<long>(nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
                UsedAt = table.Column<long>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_StaffInvitations", x => x.Id);
                table.ForeignKey("FK_StaffInvitations_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_StaffInvitations_TokenHash", "StaffInvitations", "TokenHash", unique: true);
        migrationBuilder.CreateIndex("IX_StaffInvitations_UserId", "StaffInvitations", "UserId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("StaffInvitations");
        migrationBuilder.DropTable("StaffAuthenticators");
    }
}
