using System.Text.Json;

namespace PrivacyPortal.Features.Policy;

/// <summary>Reads and validates a policy file; throws <see cref="PolicyValidationException"/> listing every problem.</summary>
public static class PolicyLoader
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        // Editors of the file may explain their choices in // comments.
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static PolicyCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Invalid(path, "$", "the policy file does not exist (set Policy:File to its path)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, "$", $"the policy file cannot be read: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <param name="file">Names the source in error messages.</param>
    public static PolicyCatalog Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            // The parser's own message ends in "LineNumber: 3 | BytePositionInLine: 4." (both 0-based);
            // people count from 1.
            var reason = e.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = cut > 0 ? reason[..cut] : reason;
            var where = e.LineNumber is { } line
                ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}"
                : string.Empty;
            throw Invalid(file, "$", $"invalid JSON{where}: {reason}", e);
        }

        using (document)
        {
            var problems = new PolicyProblems(file);
            var policy = PolicyDocumentReader.Read(document.RootElement, problems);
            PolicyValidator.Validate(policy, problems);
            if (problems.Errors.Count > 0)
            {
                throw new PolicyValidationException(file, problems.Errors);
            }

            return new PolicyCatalog(policy, file);
        }
    }

    private static PolicyValidationException Invalid(string file, string path, string problem, Exception inner) =>
        new(file, [new PolicyError(file, path, problem)], inner);
}
