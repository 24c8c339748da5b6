namespace PrivacyPortal.BrowserTests.Infrastructure;

/// <summary>A screen to test at. The two presets are what every page must work on.</summary>
public sealed record ViewportPreset(string Name, int Width, int Height, bool IsMobile, bool HasTouch, float DeviceScaleFactor)
{
    /// <summary>A 390×844 phone (iPhone 12–14 class) with touch and a 3× screen.</summary>
    public static readonly ViewportPreset Mobile = new("mobile", 390, 844, IsMobile: true, HasTouch: true, DeviceScaleFactor: 3);

    /// <summary>A 1280×800 laptop screen.</summary>
    public static readonly ViewportPreset Desktop = new("desktop", 1280, 800, IsMobile: false, HasTouch: false, DeviceScaleFactor: 1);

    public static IReadOnlyList<ViewportPreset> All { get; } = [Mobile, Desktop];

    /// <summary>For <c>[MemberData(nameof(ViewportPreset.Names), MemberType = typeof(ViewportPreset))]</c>.</summary>
    public static TheoryData<string> Names => new(All.Select(p => p.Name));

    public static ViewportPreset Named(string name) =>
        All.SingleOrDefault(p => p.Name == name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "No such viewport preset.");

    public override string ToString() => Name;
}
