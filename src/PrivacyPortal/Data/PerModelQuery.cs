using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace PrivacyPortal.Data;

/// <summary>
/// A compiled query per EF model. A compiled query is bound to the model it first ran against, and
/// SQLite and PostgreSQL build different models of the same context; one process that hosts the
/// portal on both (the test run does) would otherwise fail on the second provider. The lookup is a
/// lock-free read, so hot paths keep the saving of compiling once.
/// </summary>
internal sealed class PerModelQuery<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = [];

    public TQuery For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return _byModel.GetValue(db.Model, _ => compile());
    }
}
