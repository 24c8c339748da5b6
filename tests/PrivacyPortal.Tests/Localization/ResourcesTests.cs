using System.Globalization;
using System.Resources;
using System.Xml.Linq;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.Tests.Localization;

/// <summary>Every string exists in en, nb and et, and every resource file has its marker type.</summary>
public sealed class ResourcesTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "localization");

    public static TheoryData<string> ResourceSets()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.resx").Where(f => Path.GetFileNameWithoutExtension(f).Split('.').Length == 1))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ResourceSets))]
    public void Each_key_exists_in_every_language_and_is_translated(string name)
    {
        var english = Keys(Path.Combine(Folder, name + ".resx"));
        foreach (var culture in new[] { "nb", "et" })
        {
            var translated = Keys(Path.Combine(Folder, $"{name}.{culture}.resx"));
            Assert.Equal(english.Keys.Order(StringComparer.Ordinal), translated.Keys.Order(StringComparer.Ordinal));
            Assert.All(translated, pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), $"{name}.{culture}: {pair.Key} is empty"));
            // Placeholders must survive translation, or string.Format puts the wrong value in.
            Assert.All(english, pair => Assert.Equal(Placeholders(pair.Value), Placeholders(translated[pair.Key])));
        }
    }

    [Theory]
    [MemberData(nameof(ResourceSets))]
    public void Each_resource_set_is_embedded_and_readable_in_every_culture(string name)
    {
        var assembly = typeof(PrivacyPortal.Localization.SharedResource).Assembly;
        var marker = assembly.GetType("PrivacyPortal.Localization." + name);
        Assert.NotNull(marker);
        var manager = new ResourceManager("PrivacyPortal.Localization." + name, assembly);
        var english = Keys(Path.Combine(Folder, name + ".resx"));
        foreach (var culture in new[] { "en", "nb", "et" })
        {
            var key = english.Keys.First();
            var value = manager.GetString(key, CultureInfo.GetCultureInfo(culture));
            Assert.False(string.IsNullOrEmpty(value));
            if (culture != "en")
            {
                Assert.Equal(Keys(Path.Combine(Folder, $"{name}.{culture}.resx"))[key], value);
            }
        }
    }

    private static Dictionary<string, string> Keys(string path) =>
        XDocument.Load(path).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static string Placeholders(string text) =>
        string.Join(",", System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+[^}]*\}").Select(m => m.Value).Order(StringComparer.Ordinal));

    [Fact]
    public void The_resource_folder_is_found() => Assert.True(Directory.Exists(Folder), Folder);
}
