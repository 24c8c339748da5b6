namespace PrivacyPortal.Infrastructure;

/// <summary>Reading a form body by hand (outside model binding) without a 500 on a broken body.</summary>
public static class FormBody
{
    /// <summary>
    /// The form body, or null when it cannot be read: ASP.NET Core throws on percent escapes that
    /// decode to invalid UTF-8, which a caller must answer as a bad request, not a 500.
    /// </summary>
    public static async Task<IFormCollection?> ReadOrNullAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
