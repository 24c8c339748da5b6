using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace PrivacyPortal.Infrastructure.Localization;

/// <summary>
/// The resource-file localizers, with the strings they found kept per culture. Every lookup of
/// <see cref="ResourceManagerStringLocalizer"/> goes through <see cref="System.Resources.ResourceManager"/>,
/// which takes a lock per lookup; my-data renders a few hundred strings, and under load the page's
/// threads queued on that lock (CPU trace in docs/benchmarks.md). Only strings the resources hold
/// are kept, so the cache is bounded by the resource files whatever keys a page asks for.
/// </summary>
public sealed class CachingStringLocalizerFactory(IOptions<LocalizationOptions> options, ILoggerFactory loggerFactory) : IStringLocalizerFactory
{
    private readonly ResourceManagerStringLocalizerFactory inner = new(options, loggerFactory);
    private readonly ConcurrentDictionary<Type, IStringLocalizer> byType = new();
    private readonly ConcurrentDictionary<(string BaseName, string Location), IStringLocalizer> byName = new();

    public IStringLocalizer Create(Type resourceSource) =>
        byType.GetOrAdd(resourceSource, type => new CachingStringLocalizer(inner.Create(type)));

    public IStringLocalizer Create(string baseName, string location) =>
        byName.GetOrAdd((baseName, location), key => new CachingStringLocalizer(inner.Create(key.BaseName, key.Location)));

    private sealed class CachingStringLocalizer(IStringLocalizer inner) : IStringLocalizer
    {
        private readonly ConcurrentDictionary<CultureInfo, ConcurrentDictionary<string, LocalizedString>> found = new();

        public LocalizedString this[string name]
        {
            get
            {
                ArgumentNullException.ThrowIfNull(name);
                var strings = found.GetOrAdd(CultureInfo.CurrentUICulture, _ => new ConcurrentDictionary<string, LocalizedString>(StringComparer.Ordinal));
                if (strings.TryGetValue(name, out var cached))
                {
                    return cached;
                }

                var result = inner[name];
                if (!result.ResourceNotFound)
                {
                    strings.TryAdd(name, result);
                }

                return result;
            }
        }

        public LocalizedString this[string name, params object[] arguments]
        {
            get
            {
                // As ResourceManagerStringLocalizer does: the format of the UI culture, filled in with the culture's formats.
                var format = this[name];
                var value = string.Format(CultureInfo.CurrentCulture, format.Value, arguments);
                return new LocalizedString(name, value, format.ResourceNotFound, format.SearchedLocation);
            }
        }

        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => inner.GetAllStrings(includeParentCultures);
    }
}
