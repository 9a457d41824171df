using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartnerExchange.Bench.Reporting;

/// <summary>Writes a run's report as NAME.json (for machines), NAME.md (for people) and NAME.svg (the plot).</summary>
internal static class ReportFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<IReadOnlyList<string>> WriteAsync(BenchReport report, string folder, string name, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var files = new (string Extension, string Content)[]
        {
            ("json", JsonSerializer.Serialize(report, Json) + "\n"),
            ("md", MarkdownReport.Render(report, name)),
            ("svg", SvgPlot.Render(report)),
        };
        var paths = new List<string>();
        foreach (var (extension, content) in files)
        {
            var path = Path.Combine(folder, $"{name}.{extension}");
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
            paths.Add(path);
        }
        return paths;
    }
}
