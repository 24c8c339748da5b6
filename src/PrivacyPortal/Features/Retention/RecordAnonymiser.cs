using System.Text.Json;
using System.Text.Json.Nodes;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Retention;

/// <summary>
/// Anonymises a held record by its category's rule: a new unlinked <see cref="AnonymisedRecord"/>
/// with only the fields the policy keeps; the caller deletes the held record itself. Used by the
/// carrying out of an erasure and by the retention sweep, so both anonymise alike.
/// </summary>
public static class RecordAnonymiser
{
    public static AnonymisedRecord Anonymise(string controllerId, string categoryId, string content, DateOnly retentionFrom, Anonymisation rule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new AnonymisedRecord
        {
            ControllerId = controllerId,
            CategoryId = categoryId,
            Content = Keep(content, rule.KeepFields),
            Year = retentionFrom.Year,
            AnonymisedAt = now,
        };
    }

    /// <summary>The kept top-level fields of the content; a field that is missing, or content that is not an object, keeps nothing.</summary>
    public static string Keep(string content, IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var kept = new JsonObject();
        JsonObject? source;
        try
        {
            source = JsonNode.Parse(content) as JsonObject;
        }
        catch (JsonException)
        {
            source = null;
        }

        foreach (var field in fields)
        {
            if (source?[field] is { } value)
            {
                kept[field] = value.DeepClone();
            }
        }

        return kept.ToJsonString();
    }
}
