using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.BrowserTests.Infrastructure;

/// <summary>One axe-core finding: a rule and the elements that break it.</summary>
public sealed record AxeViolation(string Id, string? Impact, string Help, string HelpUrl, IReadOnlyList<AxeNode> Nodes)
{
    public bool IsSeriousOrWorse => Impact is "serious" or "critical";
}

public sealed record AxeNode(IReadOnlyList<string> Target, string Html, string FailureSummary);

/// <summary>
/// Runs axe-core (from this project's node_modules) in a page. It is evaluated through the DevTools
/// protocol, which the page's Content-Security-Policy does not govern, so pages keep their real CSP.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        if (!File.Exists(ScriptPath))
        {
            throw new InvalidOperationException($"{ScriptPath} is missing; run `npm ci` in tests/PrivacyPortal.BrowserTests (tests/run-all.sh does).");
        }

        return File.ReadAllText(ScriptPath);
    });

    public static string ScriptPath =>
        Path.Combine(RepositoryPaths.Root, "tests", "PrivacyPortal.BrowserTests", "node_modules", "axe-core", "axe.min.js");

    /// <summary>All violations axe finds in the page as it is now.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> AxeAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source.Value);
        }

        var result = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const results = await window.axe.run(document, { resultTypes: ['violations'] });
              return results.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                  target: n.target.map(t => typeof t === 'string' ? t : JSON.stringify(t)),
                  html: n.html,
                  failureSummary: n.failureSummary || ''
                }))
              }));
            }
            """);

        return result.EnumerateArray().Select(v => new AxeViolation(
                v.GetProperty("id").GetString()!,
                v.GetProperty("impact").ValueKind == JsonValueKind.String ? v.GetProperty("impact").GetString() : null,
                v.GetProperty("help").GetString()!,
                v.GetProperty("helpUrl").GetString()!,
                v.GetProperty("nodes").EnumerateArray().Select(n => new AxeNode(
                    n.GetProperty("target").EnumerateArray().Select(t => t.GetString()!).ToList(),
                    n.GetProperty("html").GetString()!,
                    n.GetProperty("failureSummary").GetString()!)).ToList()))
            .ToList();
    }

    /// <summary>Fails the test if axe finds any serious or critical violation, listing rule, help and elements.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var serious = (await AxeAsync(page)).Where(v => v.IsSeriousOrWorse).ToList();
        if (serious.Count > 0)
        {
            Assert.Fail($"axe found {serious.Count} serious or critical accessibility violation(s) on {page.Url}:\n{Describe(serious)}");
        }
    }

    public static string Describe(IEnumerable<AxeViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var text = new StringBuilder();
        foreach (var violation in violations)
        {
            text.Append("- ").Append(violation.Id).Append(" (").Append(violation.Impact).Append("): ")
                .Append(violation.Help).Append(' ').AppendLine(violation.HelpUrl);
            foreach (var node in violation.Nodes)
            {
                text.Append("    at ").Append(string.Join(" > ", node.Target)).Append("  ").AppendLine(node.Html);
            }
        }

        return text.ToString();
    }
}
