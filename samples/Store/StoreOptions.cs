using System.ComponentModel.DataAnnotations;

namespace SampleStore;

/// <summary>
/// Which store this process is (<c>Store:Id</c>) and its settings: <c>Store</c> holds what both
/// stores share, <c>Stores:{id}</c> what is each one's own; the second wins.
/// </summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary>The store id of the portal's policy, which is also its OpenID Connect client id.</summary>
    [Required]
    public string Id { get; set; } = "";

    /// <summary>The name people see, e.g. innore.eu.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The store's own address: Kestrel listens there and the portal knows its redirect URIs under it.</summary>
    [Required]
    public Uri? Url { get; set; }

    /// <summary>The portal: the OpenID Connect authority (its discovery document names every endpoint) and the store API's host.</summary>
    [Required]
    public Uri? Portal { get; set; }

    /// <summary>The client secret the portal registered for this store (a secret store in production, never a file).</summary>
    [Required]
    public string ClientSecret { get; set; } = "";

    /// <summary>Asked for as <c>ui_locales</c>, so the portal's sign-in page speaks the store's language.</summary>
    public string Culture { get; set; } = "en";

    public string Currency { get; set; } = "EUR";

    /// <summary>How often the background client reads the suppression and task feeds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How old the privacy claims of a session may get before a page load renews them from the portal.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan PrivacyClaimsMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Reads <c>Store</c>, then <c>Stores:{Store:Id}</c> over it, and checks the result.</summary>
    public static StoreOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new StoreOptions();
        configuration.GetSection(SectionName).Bind(options);
        if (string.IsNullOrEmpty(options.Id))
        {
            throw new InvalidOperationException("Store:Id is not set: start the sample with --Store:Id innore-eu or innore-no.");
        }

        configuration.GetSection("Stores:" + options.Id).Bind(options);
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new InvalidOperationException($"Stores:{options.Id}: " + string.Join("; ", problems.Select(p => p.ErrorMessage)));
        }

        return options;
    }

    /// <summary>An address under the portal, e.g. <c>en/preferences</c>.</summary>
    public Uri PortalPath(string relative) => new(new Uri(Portal!.AbsoluteUri.TrimEnd('/') + "/"), relative);

    /// <summary>The prefix of every cookie of this store: stores on one host (localhost) must not read each other's cookies.</summary>
    public string CookiePrefix => Id + ".";
}
