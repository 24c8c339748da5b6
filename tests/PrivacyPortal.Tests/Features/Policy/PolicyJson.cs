using System.Text.Json;
using System.Text.Json.Nodes;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>The real Innore policy as shipped with the app, and small helpers to bend it in tests.</summary>
internal static class PolicyJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Copied next to the tests by the web project's content items, as it is next to the app.</summary>
    public static string InnorePath { get; } = Path.Combine(AppContext.BaseDirectory, "Policies", "innore.policy.json");

    public static JsonObject Innore() => JsonNode.Parse(File.ReadAllText(InnorePath))!.AsObject();

    /// <summary>The Innore policy with one change applied.</summary>
    public static string InnoreWith(Action<JsonObject> change)
    {
        var policy = Innore();
        change(policy);
        return policy.ToJsonString(Indented);
    }

    public static JsonObject Text(string en, string nb, string et) => new() { ["en"] = en, ["nb"] = nb, ["et"] = et };

    public static JsonObject Controller(this JsonObject policy, int index) => policy["controllers"]![index]!.AsObject();

    public static JsonObject Category(this JsonObject policy, int controller, int category) =>
        policy.Controller(controller)["categories"]![category]!.AsObject();

    public static JsonObject Item(this JsonObject policy, string list, int index) => policy[list]![index]!.AsObject();

    public static PolicyValidationException ParseFails(string json, string file = "test.policy.json") =>
        Assert.Throws<PolicyValidationException>(() => PolicyLoader.Parse(json, file));

    /// <summary>Asserts the one problem a change caused: at <paramref name="path"/>, with a message containing each fragment.</summary>
    public static PolicyError SingleError(string json, string path, params string[] fragments)
    {
        var exception = ParseFails(json);
        var error = Assert.Single(exception.Errors);
        Assert.Equal(path, error.Path);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Problem, StringComparison.Ordinal);
        }

        Assert.Contains($"{error.Path}: {error.Problem}", exception.Message, StringComparison.Ordinal);
        return error;
    }
}
