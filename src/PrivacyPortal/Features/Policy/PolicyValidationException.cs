using System.Globalization;
using System.Text;

namespace PrivacyPortal.Features.Policy;

/// <summary>One problem in a policy file.</summary>
/// <param name="Path">JSON path of the offending field, e.g. <c>controllers[1].categories[3].retention</c>; <c>$</c> for the whole file.</param>
public sealed record PolicyError(string File, string Path, string Problem)
{
    public override string ToString() => $"{File}: {Path}: {Problem}";
}

/// <summary>
/// The policy file cannot be used. Thrown at start-up so the app never serves a half-understood
/// policy; the message lists every problem found, not just the first, to save edit-restart rounds.
/// </summary>
public sealed class PolicyValidationException : Exception
{
    public PolicyValidationException()
        : this(string.Empty, [])
    {
    }

    public PolicyValidationException(string message)
        : base(message)
    {
        File = string.Empty;
        Errors = [];
    }

    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Errors = [];
    }

    public PolicyValidationException(string file, IReadOnlyList<PolicyError> errors, Exception? innerException = null)
        : base(Describe(file, errors), innerException)
    {
        File = file;
        Errors = errors;
    }

    public string File { get; }

    public IReadOnlyList<PolicyError> Errors { get; }

    private static string Describe(string file, IReadOnlyList<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Policy file '{file}' is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):");
        foreach (var error in errors)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  - {error.Path}: {error.Problem}");
        }

        return text.ToString();
    }
}
