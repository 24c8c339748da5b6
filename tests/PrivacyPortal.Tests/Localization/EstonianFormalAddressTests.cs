using System.Text.RegularExpressions;
using System.Xml.Linq;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.Tests.Localization;

/// <summary>
/// Estonian speaks to the person in one form throughout: the formal "teie" a company uses, with its
/// plural verbs ("olete", "saate", "valige"), never the familiar "sina" ("sinu", "oled", "vali").
/// </summary>
public sealed partial class EstonianFormalAddressTests
{
    private static readonly string Root = RepositoryPaths.Root;

    public static TheoryData<string> EstonianFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Root, "*.et.resx", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !f.Contains("node_modules", StringComparison.Ordinal)))
        {
            data.Add(Path.GetRelativePath(Root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EstonianFiles))]
    public void No_familiar_you_in(string file)
    {
        var informal = XDocument.Load(Path.Combine(Root, file)).Root!.Elements("data")
            .Select(d => (Key: (string)d.Attribute("name")!, Value: (string?)d.Element("value") ?? ""))
            .Where(d => Familiar().IsMatch(d.Value))
            .Select(d => $"{d.Key}: {d.Value}")
            .ToList();

        Assert.True(informal.Count == 0, string.Join(Environment.NewLine, informal));
    }

    [Fact]
    public void The_formal_form_is_written_in_lower_case_inside_a_sentence()
    {
        var text = string.Join("\n", Directory.GetFiles(Path.Combine(Root, "localization"), "*.et.resx").Select(File.ReadAllText));

        Assert.DoesNotMatch(@"[a-zõäöüšž,] (Teie|Teile|Teil|Teid|Teilt)\b", text);
        Assert.Contains("teie", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_check_knows_the_familiar_forms()
    {
        Assert.Matches(Familiar(), "Sinu valik on salvestatud.");
        Assert.Matches(Familiar(), "Vali, mida soovid taotleda.");
        Assert.Matches(Familiar(), "Kui oled meilt ostnud");
        Assert.DoesNotMatch(Familiar(), "Valige, mida soovite taotleda. Teie valik on salvestatud.");
    }

    // Pronouns and second-person singular verbs (any case) and the imperatives the portal's texts used
    // (capitalised only: "ei vali" is the negative of every person, formal too).
    [GeneratedRegex(@"\b((?i:sa|sina|sul|sinul|sind|sinu|sulle|sinust|sinuga|sinult|su|oled|saad|võid|pead|soovid|tahad|loed|logid|kasutad|vaatad|näed|esitasid|kirjutasid|palusid)|Vali|Sisesta|Kontrolli|Vajuta|Proovi|Oota|Kirjuta|Mine|Lase|Palu|Esita|Anna|Lõpeta|Kasuta|Vaata|Logi sisse|Logi välja|Ära)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Familiar();
}
