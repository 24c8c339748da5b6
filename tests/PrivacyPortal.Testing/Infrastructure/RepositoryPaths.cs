namespace PrivacyPortal.Testing.Infrastructure;

/// <summary>Locations in the repository, found from the test assembly's folder.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder that holds PrivacyPortal.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>
    /// Where tests write screenshots and other files worth keeping after a run:
    /// <c>PORTAL_ARTIFACTS_DIR</c> if set (tests/run-all.sh sets it), otherwise <c>{root}/artifacts</c>.
    /// </summary>
    public static string Artifacts =>
        Environment.GetEnvironmentVariable("PORTAL_ARTIFACTS_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Root, "artifacts");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PrivacyPortal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"PrivacyPortal.sln was not found above {AppContext.BaseDirectory}; tests must run from a build inside the repository.");
    }
}
