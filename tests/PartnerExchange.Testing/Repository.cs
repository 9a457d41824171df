using System.Xml.Linq;

namespace PartnerExchange.Testing;

/// <summary>Files of the repository the tests were built from, for tests that check what the build promises.</summary>
public static class Repository
{
    /// <summary>The folder holding PartnerExchange.sln, found upwards from the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The release version set once in Directory.Build.props.</summary>
    public static string Version =>
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("Version").Single().Value.Trim();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PartnerExchange.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No PartnerExchange.sln above {AppContext.BaseDirectory}.");
    }
}
