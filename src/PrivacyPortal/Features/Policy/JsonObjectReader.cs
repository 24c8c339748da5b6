using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PrivacyPortal.Features.Policy;

/// <summary>Collects the problems found in one policy file, each with its JSON path.</summary>
internal sealed class PolicyProblems(string file)
{
    private readonly List<PolicyError> errors = [];

    public string File => file;

    public IReadOnlyList<PolicyError> Errors => errors;

    public void Add(string path, string problem) => errors.Add(new PolicyError(file, path.Length == 0 ? "$" : path, problem));
}

/// <summary>
/// Reads one JSON object field by field, reporting every problem with its path instead of stopping at
/// the first, as a serializer would. Reads always return a value (a placeholder when the field is bad)
/// so lists keep their indices and later checks can still name the right element.
/// </summary>
internal sealed partial class JsonObjectReader
{
    private static readonly Uri PlaceholderUri = new("about:blank");
    private readonly JsonElement element;
    private readonly bool silent;
    private readonly HashSet<string> known = new(StringComparer.Ordinal);

    private JsonObjectReader(JsonElement element, string path, PolicyProblems problems, bool silent)
    {
        this.element = element;
        this.silent = silent;
        Path = path;
        Problems = problems;
    }

    public string Path { get; }

    public PolicyProblems Problems { get; }

    public static T Read<T>(JsonElement element, string path, PolicyProblems problems, Func<JsonObjectReader, T> build)
    {
        var isObject = element.ValueKind == JsonValueKind.Object;
        if (!isObject)
        {
            problems.Add(path, $"expected an object, found {Describe(element)}");
        }

        var reader = new JsonObjectReader(element, path, problems, silent: !isObject);
        var result = build(reader);
        reader.ReportUnknownFields();
        return result;
    }

    public string ChildPath(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    public string String(string name) => ReadString(name, required: true) ?? string.Empty;

    public string? OptionalString(string name) => ReadString(name, required: false);

    /// <summary>An id other entries refer to: stable, URL- and log-safe.</summary>
    public string Id(string name)
    {
        var id = String(name);
        if (id.Length > 0 && !IdPattern().IsMatch(id))
        {
            Problems.Add(ChildPath(name), $"'{id}' is not a valid id: use lower-case letters, digits and single hyphens (e.g. 'innore-ee')");
        }

        return id;
    }

    public string Email(string name) => CheckEmail(name, String(name)) ?? string.Empty;

    public string? OptionalEmail(string name) => CheckEmail(name, OptionalString(name));

    public Uri Url(string name) => CheckUrl(name, String(name)) ?? PlaceholderUri;

    public Uri? OptionalUrl(string name) => CheckUrl(name, OptionalString(name));

    public string Phone(string name)
    {
        var phone = String(name);
        if (phone.Length > 0 && !PhonePattern().IsMatch(phone))
        {
            Problems.Add(ChildPath(name), $"'{phone}' is not an international phone number (e.g. '+372 5850 4434')");
        }

        return phone;
    }

    public string Country(string name) => CheckCountry(name, String(name)) ?? string.Empty;

    public string? OptionalCountry(string name) => CheckCountry(name, OptionalString(name));

    /// <summary>An optional IANA time zone id ("Europe/Oslo") this system knows.</summary>
    public string? TimeZone(string name)
    {
        var id = OptionalString(name);
        if (id is { Length: > 0 } && Infrastructure.Time.TimeZones.Find(id) is null)
        {
            Problems.Add(ChildPath(name), $"'{id}' is not an IANA time zone id (e.g. 'Europe/Oslo')");
        }

        return id;
    }

    public DateOnly Date(string name)
    {
        var text = String(name);
        if (text.Length == 0)
        {
            return default;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Problems.Add(ChildPath(name), $"'{text}' is not a date in the form yyyy-MM-dd");
        }

        return date;
    }

    public int Int(string name, int min, int max = int.MaxValue) => ReadInt(name, required: true, min, max) ?? min;

    public int? OptionalInt(string name, int min, int max = int.MaxValue) => ReadInt(name, required: false, min, max);

    public bool Bool(string name, bool? defaultValue = null)
    {
        if (!TryGet(name, required: defaultValue is null, out var value))
        {
            return defaultValue ?? false;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Problems.Add(ChildPath(name), $"expected true or false, found {Describe(value)}");
            return defaultValue ?? false;
        }

        return value.GetBoolean();
    }

    public TEnum Enum<TEnum>(string name)
        where TEnum : struct, Enum
    {
        return EnumOrNull<TEnum>(name) ?? default;
    }

    /// <summary>A required enum, null when it is missing or invalid (already reported), for checks that depend on it.</summary>
    public TEnum? EnumOrNull<TEnum>(string name)
        where TEnum : struct, Enum
    {
        return TryGet(name, required: true, out var value) ? ParseEnum<TEnum>(value, ChildPath(name)) : null;
    }

    /// <summary>An optional enum: null when it is missing, or invalid (then reported).</summary>
    public TEnum? OptionalEnum<TEnum>(string name)
        where TEnum : struct, Enum
    {
        return TryGet(name, required: false, out var value) ? ParseEnum<TEnum>(value, ChildPath(name)) : null;
    }

    /// <summary>Whether the field is present with a non-null value (valid or not).</summary>
    public bool HasValue(string name) =>
        !silent && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The object itself is missing or not an object; its fields were not read.</summary>
    public bool IsAbsent => silent;

    public IReadOnlyList<TEnum> EnumList<TEnum>(string name, int minCount = 0, bool required = true)
        where TEnum : struct, Enum
    {
        var result = new List<TEnum>();
        foreach (var (item, path) in Items(name, minCount, required))
        {
            if (ParseEnum<TEnum>(item, path) is { } parsed)
            {
                if (result.Contains(parsed))
                {
                    Problems.Add(path, $"'{EnumName(parsed)}' is listed twice");
                }

                result.Add(parsed);
            }
        }

        return result;
    }

    /// <summary>A list of ids pointing at other entries; whether they exist is checked once the whole file is read.</summary>
    public IReadOnlyList<string> IdList(string name, int minCount = 0, bool required = true)
    {
        var result = new List<string>();
        foreach (var (item, path) in Items(name, minCount, required))
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                Problems.Add(path, $"expected an id (a non-empty string), found {Describe(item)}");
                result.Add(string.Empty);
                continue;
            }

            var id = item.GetString()!;
            if (result.Contains(id, StringComparer.Ordinal))
            {
                Problems.Add(path, $"'{id}' is listed twice");
            }

            result.Add(id);
        }

        return result;
    }

    public LocalizedText Text(string name) => ReadText(name, required: true) ?? LocalizedText.Empty;

    public LocalizedText? OptionalText(string name) => ReadText(name, required: false);

    public T Object<T>(string name, Func<JsonObjectReader, T> build)
    {
        if (TryGet(name, required: true, out var value))
        {
            return Read(value, ChildPath(name), Problems, build);
        }

        // Build from nothing, quietly: the missing object was reported once above.
        return build(new JsonObjectReader(default, ChildPath(name), Problems, silent: true));
    }

    public T? OptionalObject<T>(string name, Func<JsonObjectReader, T> build)
        where T : class
    {
        return TryGet(name, required: false, out var value) ? Read(value, ChildPath(name), Problems, build) : null;
    }

    public IReadOnlyList<T> Objects<T>(string name, Func<JsonObjectReader, T> build, int minCount = 0, bool required = true)
    {
        return [.. Items(name, minCount, required).Select(item => Read(item.Value, item.Path, Problems, build))];
    }

    private List<(JsonElement Value, string Path)> Items(string name, int minCount, bool required)
    {
        var path = ChildPath(name);
        if (!TryGet(name, required, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Problems.Add(path, $"expected a list, found {Describe(value)}");
            return [];
        }

        var items = value.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]")).ToList();
        if (items.Count < minCount)
        {
            Problems.Add(path, $"must list at least {minCount} item{(minCount == 1 ? "" : "s")}");
        }

        return items;
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        known.Add(name);
        value = default;
        if (silent)
        {
            return false;
        }

        if (element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            Problems.Add(ChildPath(name), "required field is missing");
        }

        return false;
    }

    private string? ReadString(string name, bool required)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problems.Add(ChildPath(name), $"expected a string, found {Describe(value)}");
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            Problems.Add(ChildPath(name), "must not be empty");
            return null;
        }

        return text;
    }

    private int? ReadInt(string name, bool required, int min, int max)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            Problems.Add(ChildPath(name), $"expected a whole number, found {Describe(value)}");
            return null;
        }

        if (number < min)
        {
            Problems.Add(ChildPath(name), min == 0 ? $"must not be negative, was {number}" : $"must be at least {min}, was {number}");
            return null;
        }

        if (number > max)
        {
            Problems.Add(ChildPath(name), $"must be at most {max}, was {number}");
            return null;
        }

        return number;
    }

    private LocalizedText? ReadText(string name, bool required)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        var path = ChildPath(name);
        var cultures = string.Join(", ", LocalizedText.RequiredCultures);
        if (value.ValueKind != JsonValueKind.Object)
        {
            Problems.Add(path, $"expected an object with a text for each of {cultures}, found {Describe(value)}");
            return LocalizedText.Empty;
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var culturePath = $"{path}.{property.Name}";
            if (!LocalizedText.RequiredCultures.Contains(property.Name, StringComparer.Ordinal))
            {
                Problems.Add(culturePath, $"unknown culture '{property.Name}'; texts are given in {cultures}");
            }
            else if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.Value.GetString()))
            {
                Problems.Add(culturePath, $"the '{property.Name}' text must be a non-empty string, found {Describe(property.Value)}");
            }
            else
            {
                texts[property.Name] = property.Value.GetString()!;
            }
        }

        foreach (var culture in LocalizedText.RequiredCultures.Where(c => !value.TryGetProperty(c, out _)))
        {
            Problems.Add($"{path}.{culture}", $"missing translation for culture '{culture}'");
        }

        return new LocalizedText(texts);
    }

    private TEnum? ParseEnum<TEnum>(JsonElement value, string path)
        where TEnum : struct, Enum
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        foreach (var candidate in System.Enum.GetValues<TEnum>())
        {
            if (string.Equals(EnumName(candidate), text, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        var expected = string.Join(", ", System.Enum.GetValues<TEnum>().Select(EnumName));
        var found = text is null ? Describe(value) : $"'{text}'";
        Problems.Add(path, $"{found} is not a valid value; expected one of: {expected}");
        return null;
    }

    internal static string EnumName<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        return JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    }

    private string? CheckEmail(string name, string? email)
    {
        if (email is null || email.Length == 0)
        {
            return email;
        }

        var valid = MailAddress.TryCreate(email, out var address)
            && address.Address == email
            && address.Host.Contains('.', StringComparison.Ordinal);
        if (!valid)
        {
            Problems.Add(ChildPath(name), $"'{email}' is not a valid email address");
        }

        return email;
    }

    private Uri? CheckUrl(string name, string? text)
    {
        if (text is null || text.Length == 0)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
        {
            return url;
        }

        Problems.Add(ChildPath(name), $"'{text}' is not an absolute http(s) URL (e.g. 'https://www.aki.ee')");
        return PlaceholderUri;
    }

    private string? CheckCountry(string name, string? code)
    {
        if (code is null || code.Length == 0)
        {
            return code;
        }

        if (!CountryPattern().IsMatch(code) || !IsKnownRegion(code))
        {
            Problems.Add(ChildPath(name), $"'{code}' is not an ISO 3166-1 alpha-2 country code (e.g. 'EE', 'NO')");
        }

        return code;
    }

    private static bool IsKnownRegion(string code)
    {
        try
        {
            return new RegionInfo(code).TwoLetterISORegionName == code;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void ReportUnknownFields()
    {
        if (silent)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var path = ChildPath(property.Name);
            if (!seen.Add(property.Name))
            {
                Problems.Add(path, "field appears twice in the same object");
            }
            else if (property.Name.StartsWith('$'))
            {
                // "$comment" and "$schema" are for the people editing the file.
            }
            else if (!known.Contains(property.Name))
            {
                Problems.Add(path, $"unknown field; expected one of: {string.Join(", ", known)}");
            }
        }
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string '{value.GetString()}'",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\+[0-9][0-9 ]{5,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryPattern();
}
