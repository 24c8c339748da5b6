using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Data;

internal sealed class DataSubjectConfiguration : IEntityTypeConfiguration<DataSubject>
{
    public void Configure(EntityTypeBuilder<DataSubject> builder)
    {
        builder.Property(s => s.DisplayName).HasMaxLength(200);
        builder.Property(s => s.CompanyName).HasMaxLength(200);
        builder.Property(s => s.CompanyRegistrationCode).HasMaxLength(50);
        builder.Property(s => s.JobTitle).HasMaxLength(200);
        builder.Property(s => s.PreferredCulture).HasMaxLength(10);
    }
}

internal sealed class HeldRecordConfiguration : IEntityTypeConfiguration<HeldRecord>
{
    public void Configure(EntityTypeBuilder<HeldRecord> builder)
    {
        // The table has AFTER triggers (they keep HeldRecordCounts), which SQLite's RETURNING cannot work with.
        builder.ToTable("HeldRecords", table => table.UseSqlReturningClause(false));
        builder.Property(r => r.ControllerId).HasMaxLength(64);
        builder.Property(r => r.CategoryId).HasMaxLength(64);
        builder.Property(r => r.SourceStoreId).HasMaxLength(64);
        builder.Property(r => r.ExternalId).HasMaxLength(200);
        builder.Property(r => r.Summary).HasMaxLength(500);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.Cascade);
        // my-data and the export read a person's records grouped by controller and category, newest
        // first with the id breaking ties: with the id in the index PostgreSQL reads the newest ten
        // in index order instead of sorting all of the person's records of the category (SQLite's
        // indexes end in the rowid, which is the id, anyway).
        builder.HasIndex(r => new { r.SubjectId, r.ControllerId, r.CategoryId, r.RetentionFrom, r.Id }).HasDatabaseName(NewestIndexName);
        // The newest "relationship still active" word per category, one index seek however many
        // records the person has; few records carry it, so the index stays small.
        builder.HasIndex(r => new { r.SubjectId, r.ControllerId, r.CategoryId, r.RetentionFrom })
            .HasFilter(RelationshipActiveFilter).HasDatabaseName(RelationshipActiveIndexName);
        builder.HasIndex(r => new { r.SourceStoreId, r.ExternalId }).IsUnique();
        // the retention job scans by category and date.
        builder.HasIndex(r => new { r.ControllerId, r.CategoryId, r.RetentionFrom });
    }

    // The generated name would be longer than the 63 characters PostgreSQL keeps.
    public const string NewestIndexName = "IX_HeldRecords_Subject_Category_Newest";
    public const string RelationshipActiveIndexName = "IX_HeldRecords_RelationshipActive";
    public const string RelationshipActiveFilter = "\"RelationshipActive\"";
}

internal sealed class HeldRecordCountConfiguration : IEntityTypeConfiguration<HeldRecordCount>
{
    public void Configure(EntityTypeBuilder<HeldRecordCount> builder)
    {
        builder.ToTable("HeldRecordCounts");
        builder.HasKey(c => new { c.SubjectId, c.ControllerId, c.CategoryId });
        builder.Property(c => c.ControllerId).HasMaxLength(64);
        builder.Property(c => c.CategoryId).HasMaxLength(64);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(c => c.SubjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("Sessions");
        builder.Property(s => s.AuthenticationMethod).HasMaxLength(32);
        builder.Property(s => s.UserAgent).HasMaxLength(300);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(s => s.SubjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.SubjectId);
        // The timed-out sessions sweep reads only open sessions, so it stays cheap as ended ones pile up.
        builder.HasIndex(s => new { s.LastSeenAt, s.ExpiresAt }).HasFilter(OpenFilter).HasDatabaseName(OpenIndexName);
    }

    public const string OpenIndexName = "IX_Sessions_Open";
    public const string OpenFilter = "\"EndedAt\" IS NULL";
}

internal sealed class MagicLinkTokenConfiguration : IEntityTypeConfiguration<MagicLinkToken>
{
    public void Configure(EntityTypeBuilder<MagicLinkToken> builder)
    {
        builder.ToTable("MagicLinkTokens");
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.CodeHash).HasMaxLength(64);
        builder.Property(t => t.Email).HasMaxLength(320);
        builder.Property(t => t.ReturnUrl).HasMaxLength(2048);
        builder.Property(t => t.Culture).HasMaxLength(10);
        builder.Property(t => t.RequestIp).HasMaxLength(64);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        // the per-address rate limit counts recent attempts.
        builder.HasIndex(t => new { t.Email, t.CreatedAt });
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.Property(m => m.To).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(500);
        builder.Property(m => m.Kind).HasMaxLength(64);
        builder.Property(m => m.LastError).HasMaxLength(2000);
        builder.Property(m => m.LockedBy).HasMaxLength(100);
        builder.Property(m => m.ListUnsubscribe).HasMaxLength(2000);
        builder.Property(m => m.SenderName).HasMaxLength(200);
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Detail).HasMaxLength(4000);
        builder.Property(e => e.IpAddress).HasMaxLength(64);
        // no foreign keys: the log outlives the accounts it names.
        builder.HasIndex(e => new { e.SubjectId, e.OccurredAt });
        builder.HasIndex(e => new { e.ActorId, e.OccurredAt });
    }
}

internal sealed class AuditUnlinkPermitConfiguration : IEntityTypeConfiguration<AuditUnlinkPermit>
{
    public void Configure(EntityTypeBuilder<AuditUnlinkPermit> builder)
    {
        builder.ToTable("AuditUnlinkPermits");
        builder.Property(p => p.Id).ValueGeneratedNever();
    }
}
