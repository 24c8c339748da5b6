namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Tells whether a command's SQL may change the database, for the read-only rule of a view as
/// customer. It reads the text as SQL tokens (comments, string literals, dollar-quoted bodies and
/// quoted identifiers are skipped, not searched), so a write hidden behind a leading comment, a
/// <c>WITH</c> clause or a data-modifying CTE is found wherever it stands, and a word like UPDATE
/// inside a string or a column name is not taken for one. When in doubt it says "write": refusing a
/// read costs a refusal page, letting a write through breaks the promise.
/// </summary>
internal static class SqlWriteClassifier
{
    /// <summary>Words that only occur in statements that change data or schema.</summary>
    private static readonly HashSet<string> WriteWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "INTO",
        "CREATE", "ALTER", "DROP", "TRUNCATE", "COPY", "RENAME",
        "GRANT", "REVOKE", "VACUUM", "REINDEX", "ATTACH", "DETACH", "CALL", "LOCK", "REFRESH",
    };

    private const string KeyRingTable = "DataProtectionKeys";

    public static bool Writes(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statement = new List<Token>();
        foreach (var token in Tokens(sql))
        {
            if (token.Kind == TokenKind.Symbol && token.Text == ";")
            {
                if (StatementWrites(statement))
                {
                    return true;
                }

                statement.Clear();
                continue;
            }

            statement.Add(token);
        }

        return StatementWrites(statement);
    }

    private static bool StatementWrites(List<Token> statement)
    {
        if (statement.Count == 0)
        {
            return false;
        }

        // The Data Protection key ring may grow at any time (a new key is not the customer's data).
        if (statement is [{ Kind: TokenKind.Word, Text: var insert }, { Kind: TokenKind.Word, Text: var into }, { Kind: TokenKind.Identifier, Text: KeyRingTable }, ..]
            && insert.Equals("INSERT", StringComparison.OrdinalIgnoreCase) && into.Equals("INTO", StringComparison.OrdinalIgnoreCase))
        {
            return HasWriteWord(statement, 3);
        }

        // A PostgreSQL anonymous block runs whatever it holds.
        if (statement[0] is { Kind: TokenKind.Word } first && first.Text.Equals("DO", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return HasWriteWord(statement, 0);
    }

    private static bool HasWriteWord(List<Token> statement, int from)
    {
        for (var i = from; i < statement.Count; i++)
        {
            // replace(…) and friends are functions of a read, not statements.
            if (statement[i] is { Kind: TokenKind.Word } word && WriteWords.Contains(word.Text)
                && !(i + 1 < statement.Count && statement[i + 1] is { Kind: TokenKind.Symbol, Text: "(" }))
            {
                return true;
            }
        }

        return false;
    }

    private enum TokenKind
    {
        Word,
        Identifier,
        Symbol,
    }

    private sealed record Token(TokenKind Kind, string Text);

    private static IEnumerable<Token> Tokens(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                // PostgreSQL nests block comments.
                var depth = 0;
                do
                {
                    if (sql[i] == '/' && At(sql, i + 1) == '*')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (sql[i] == '*' && At(sql, i + 1) == '/')
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }
                while (depth > 0 && i < sql.Length);
            }
            else if (c == '\'')
            {
                i = SkipQuoted(sql, i, '\'', backslashEscapes: i > 0 && (sql[i - 1] is 'E' or 'e') && !IsWordChar(At(sql, i - 2)));
            }
            else if (c is '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var start = i + 1;
                i = SkipQuoted(sql, i, close, backslashEscapes: false);
                var end = Math.Max(start, i - 1);
                yield return new Token(TokenKind.Identifier, sql[start..end].Replace(new string(close, 2), new string(close, 1), StringComparison.Ordinal));
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var body = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = body < 0 ? sql.Length : body + tag.Length;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && IsWordChar(sql[i]))
                {
                    i++;
                }

                yield return new Token(TokenKind.Word, sql[start..i]);
            }
            else if (c is '@' or ':' or '$' or '?' && IsWordChar(At(sql, i + 1)))
            {
                // A parameter (@p0, :name, $1): its name is no keyword.
                i++;
                while (i < sql.Length && IsWordChar(sql[i]))
                {
                    i++;
                }
            }
            else
            {
                yield return new Token(TokenKind.Symbol, c.ToString());
                i++;
            }
        }
    }

    private static int SkipQuoted(string sql, int open, char close, bool backslashEscapes)
    {
        var i = open + 1;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
            }
            else if (sql[i] == close)
            {
                // A doubled quote is the quote itself.
                if (At(sql, i + 1) == close)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    /// <summary>The opening tag of a PostgreSQL dollar-quoted string ($$ or $name$) at <paramref name="i"/>, if one starts there.</summary>
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_'))
        {
            j++;
        }

        return j < sql.Length && sql[j] == '$' && !(j > i + 1 && char.IsDigit(sql[i + 1])) ? sql[i..(j + 1)] : null;
    }

    private static char At(string sql, int i) => i >= 0 && i < sql.Length ? sql[i] : '\0';

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
