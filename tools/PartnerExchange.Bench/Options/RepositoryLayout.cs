namespace PartnerExchange.Bench.Options;

/// <summary>Where the repository's files are, found from the tool's own location so any working directory works.</summary>
internal static class RepositoryLayout
{
    private const string SolutionFile = "PartnerExchange.sln";

    public static string Root { get; } = FindRoot();

    public static string ServerProject => Path.Combine(Root, "src", "PartnerExchange.Server", "PartnerExchange.Server.csproj");

    public static string ReleaseServerDll =>
        Path.Combine(Root, "src", "PartnerExchange.Server", "bin", "Release", "net10.0", "PartnerExchange.Server.dll");

    public static string BenchOutput => Path.Combine(Root, "docs", "bench");

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
