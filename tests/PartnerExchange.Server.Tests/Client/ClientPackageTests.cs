using System.IO.Compression;
using System.Text.RegularExpressions;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Client;

/// <summary>
/// The client as integrators get it: <c>dotnet pack</c> makes a package with its readme, metadata and symbols, and a
/// project outside the repository builds against that package (not the project) with the readme's own code.
/// </summary>
public sealed partial class ClientPackageTests : IDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(8);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-tests", "package-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Pack_ThenBuildAConsumerOfThePackage_CompilesTheReadmesCode()
    {
        var feed = Path.Combine(_folder, "feed");
        var clientProject = Path.Combine(Repository.Root, "src", "PartnerExchange.Client", "PartnerExchange.Client.csproj");
        // Built already by the test run (Release); packing it again would race the other test projects for its files.
        await DotnetAsync(Repository.Root, "pack", clientProject, "-c", "Release", "--no-build", "-o", feed);

        var package = Path.Combine(feed, $"PartnerExchange.Client.{Repository.Version}.nupkg");
        Assert.True(File.Exists(Path.Combine(feed, $"PartnerExchange.Client.{Repository.Version}.snupkg")), "no symbols package");
        var nuspec = ReadNuspec(package);
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<license type=\"expression\">", nuspec, StringComparison.Ordinal);
        Assert.Matches("<description>.+</description>", nuspec);
        Assert.Matches("<repository type=\"git\"[^>]* commit=\"[0-9a-f]{40}\"", nuspec);

        var consumer = Path.Combine(_folder, "consumer");
        WriteConsumer(consumer, feed);
        await DotnetAsync(consumer, "build", "-c", "Release", "-warnaserror");

        var assets = await File.ReadAllTextAsync(Path.Combine(consumer, "obj", "project.assets.json"));
        Assert.Matches($"\"PartnerExchange.Client/{Regex.Escape(Repository.Version)}\": \\{{\\s*\"type\": \"package\"", assets);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string ReadNuspec(string package)
    {
        using var archive = ZipFile.OpenRead(package);
        using var reader = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A console project outside the repository (so none of its build settings apply) whose code is the readme's
    /// "Create a client" and "A first conversion" blocks, restoring the client from the fresh feed only: its own
    /// package folder means no earlier package of the same version can stand in, and the machine's package folder
    /// serves the dependencies without a download.
    /// </summary>
    private static void WriteConsumer(string folder, string feed)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="PartnerExchange.Client" Version="{Repository.Version}" />
              </ItemGroup>
            </Project>
            """);
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(folder, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
              <packageSources>
                <add key="fresh" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "src", "PartnerExchange.Client", "README.md"));
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        File.WriteAllText(Path.Combine(folder, "Program.cs"), blocks[0] + "\n" + blocks[1]);
    }

    private static Task<string> DotnetAsync(string workingDirectory, params string[] arguments) =>
        ToolRun.RunAsync("dotnet", workingDirectory, ToolTimeout,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, arguments);

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
