using Npgsql;

namespace PrivacyPortal.Tests.Data;

/// <summary>A PostgreSQL database's schema (public schema) as sorted lines, for comparing two databases.</summary>
internal static class PostgresSchema
{
    // Tables, columns, types, nullability, lengths, identity and defaults.
    private const string Columns = """
        SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, coalesce(c.character_maximum_length, -1),
               c.is_identity, coalesce(c.identity_generation, ''), coalesce(c.column_default, '')
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.table_name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock')
        """;

    // Primary keys, foreign keys (with what happens on delete), unique and check constraints, by name and columns.
    private const string Constraints = """
        SELECT rel.relname, con.conname, con.contype::text,
               (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
               coalesce(ref.relname, ''),
               coalesce((SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum), ''),
               con.confdeltype::text,
               CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) ELSE '' END
        FROM pg_constraint con
        JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = rel.relnamespace
        LEFT JOIN pg_class ref ON ref.oid = con.confrelid
        WHERE ns.nspname = 'public' AND rel.relname NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock')
        """;

    // Every index with its uniqueness, columns in order, and filter (partial indexes).
    private const string Indexes = """
        SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary,
               (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum),
               coalesce(pg_get_expr(ix.indpred, ix.indrelid), '')
        FROM pg_index ix
        JOIN pg_class i ON i.oid = ix.indexrelid
        JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace ns ON ns.oid = t.relnamespace
        WHERE ns.nspname = 'public' AND t.relname NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock')
        """;

    public static async Task<IReadOnlyList<string>> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        lines.AddRange(await QueryAsync(connection, Columns, r =>
            $"{r.GetString(0)}.{r.GetString(1)} {r.GetString(2)} nullable={r.GetString(3)} maxlength={r.GetInt32(4)} "
            + $"identity={r.GetString(5)} {r.GetString(6)} default='{r.GetString(7)}'"));
        lines.AddRange(await QueryAsync(connection, Constraints, r => r.GetString(2) switch
        {
            "f" => $"{r.GetString(0)} FK {r.GetString(1)} ({r.GetString(3)}) -> {r.GetString(4)} ({r.GetString(5)}) on delete {r.GetString(6)}",
            "p" => $"{r.GetString(0)} PK {r.GetString(1)} ({r.GetString(3)})",
            var type => $"{r.GetString(0)} CONSTRAINT {type} {r.GetString(1)} ({r.GetString(3)}) {r.GetString(7)}",
        }));
        lines.AddRange(await QueryAsync(connection, Indexes, r =>
            $"{r.GetString(0)} INDEX {r.GetString(1)} ({r.GetString(4)}) unique={r.GetBoolean(2)} primary={r.GetBoolean(3)} where='{r.GetString(5)}'"));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> QueryAsync(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, string> read)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
