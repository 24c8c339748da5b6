using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>Thrown when something tried to write to the database during an impersonation.</summary>
public sealed class ImpersonationReadOnlyException(string message) : InvalidOperationException(message);

/// <summary>
/// The last line of the read-only rule: while a request runs under an impersonation, any SQL that
/// writes (INSERT, UPDATE, DELETE, DDL, also behind WITH or a comment: <see cref="SqlWriteClassifier"/>) is refused before it reaches the database, whichever
/// feature issued it and however (SaveChanges, ExecuteUpdate, raw SQL). Only the impersonation
/// machinery writes, inside <see cref="ImpersonationWrites.Allow"/>; the Data Protection key ring
/// may grow at any time.
/// </summary>
internal sealed class ImpersonationReadOnlyInterceptor(IHttpContextAccessor accessor) : DbCommandInterceptor
{
    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public static bool IsViolation(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ImpersonationReadOnlyException)
            {
                return true;
            }
        }

        return false;
    }

    internal static bool Writes(string sql) => SqlWriteClassifier.Writes(sql);

    private void Check(DbCommand command)
    {
        if (ImpersonationWrites.Allowed
            || accessor.HttpContext?.Items.ContainsKey(ImpersonationGuard.ActiveKey) != true
            || !Writes(command.CommandText))
        {
            return;
        }

        throw new ImpersonationReadOnlyException("The database is read-only while a member of staff views as a customer.");
    }
}
