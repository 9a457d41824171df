using System.Globalization;
using System.Security;
using System.Text;

namespace PartnerExchange.Bench.Reporting;

/// <summary>
/// A hand-drawn SVG of the closed-loop results: throughput (left) and p99 latency (right) against the number
/// of callers, one line per scenario. Callers are spaced evenly, as the lists are usually powers of two.
/// </summary>
internal static class SvgPlot
{
    private const int PanelWidth = 460;
    private const int PanelHeight = 320;
    private const int Left = 70;
    private const int Top = 64;
    private const int PlotWidth = PanelWidth - Left - 20;
    private const int PlotHeight = PanelHeight - Top - 50;
    private const int LegendHeight = 30;

    private static readonly double[] NiceSteps = [1, 2, 5, 10];

    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public static string Render(BenchReport report)
    {
        var closed = report.Results.Where(r => r.Mode == MeasurementResult.ClosedLoop && r.Concurrency is not null).ToArray();
        var callers = closed.Select(r => r.Concurrency!.Value).Distinct().Order().ToArray();
        var scenarios = closed.Select(r => r.Scenario).Distinct().ToArray();
        var width = 2 * PanelWidth;
        var height = PanelHeight + LegendHeight + 30;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"15\">PartnerExchange benchmark, closed loop, {report.Date:yyyy-MM-dd}</text>"));
        svg.AppendLine(Invariant($"<text x=\"{width / 2}\" y=\"34\" text-anchor=\"middle\" font-size=\"11\" fill=\"#505050\">{Escape(report.Machine.ToString())}</text>"));
        AppendPanel(svg, 0, "Throughput (calls/s)", callers, scenarios, closed, r => r.CallsPerSecond);
        AppendPanel(svg, PanelWidth, "p99 latency (ms)", callers, scenarios, closed, r => r.LatencyMs.P99);
        AppendLegend(svg, scenarios, PanelHeight + 20);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void AppendPanel(
        StringBuilder svg, int offsetX, string title, int[] callers, string[] scenarios, MeasurementResult[] results, Func<MeasurementResult, double> value)
    {
        var (step, top) = Scale(results.Select(value).DefaultIfEmpty(0).Max());
        double X(int caller) => offsetX + Left + (callers.Length == 1 ? PlotWidth / 2.0 : Array.IndexOf(callers, caller) * PlotWidth / (double)(callers.Length - 1));
        double Y(double v) => Top + PlotHeight - (v / top * PlotHeight);

        svg.AppendLine(Invariant($"<text x=\"{offsetX + Left + (PlotWidth / 2)}\" y=\"{Top - 12}\" text-anchor=\"middle\" font-size=\"13\">{title}</text>"));
        for (var tick = 0.0; tick <= top + (step / 2); tick += step)
        {
            svg.AppendLine(Invariant($"<line x1=\"{offsetX + Left}\" y1=\"{Y(tick):0.#}\" x2=\"{offsetX + Left + PlotWidth}\" y2=\"{Y(tick):0.#}\" stroke=\"#e0e0e0\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{offsetX + Left - 6}\" y=\"{Y(tick) + 4:0.#}\" text-anchor=\"end\">{Label(tick)}</text>"));
        }
        foreach (var caller in callers)
        {
            svg.AppendLine(Invariant($"<text x=\"{X(caller):0.#}\" y=\"{Top + PlotHeight + 18}\" text-anchor=\"middle\">{caller}</text>"));
        }
        svg.AppendLine(Invariant($"<text x=\"{offsetX + Left + (PlotWidth / 2)}\" y=\"{Top + PlotHeight + 38}\" text-anchor=\"middle\">concurrent callers</text>"));
        svg.AppendLine(Invariant($"<rect x=\"{offsetX + Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#808080\"/>"));
        for (var i = 0; i < scenarios.Length; i++)
        {
            var points = results.Where(r => r.Scenario == scenarios[i]).OrderBy(r => r.Concurrency)
                .Select(r => Invariant($"{X(r.Concurrency!.Value):0.#},{Y(value(r)):0.#}")).ToArray();
            var color = Colors[i % Colors.Length];
            svg.AppendLine($"<polyline points=\"{string.Join(' ', points)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            foreach (var point in points)
            {
                var xy = point.Split(',');
                svg.AppendLine($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{color}\"/>");
            }
        }
    }

    private static void AppendLegend(StringBuilder svg, string[] scenarios, int y)
    {
        for (var i = 0; i < scenarios.Length; i++)
        {
            var x = Left + (i * 120);
            var color = Colors[i % Colors.Length];
            svg.AppendLine(Invariant($"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 20}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"3\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x + 26}\" y=\"{y + 4}\">{Escape(scenarios[i])}</text>"));
        }
    }

    /// <summary>A round tick step (1, 2 or 5 × 10^n) giving about five ticks, and the axis top it reaches.</summary>
    private static (double Step, double Top) Scale(double max)
    {
        if (max <= 0)
        {
            return (1, 5);
        }
        var rough = max / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = NiceSteps.Select(m => m * magnitude).First(s => s >= rough);
        return (step, Math.Ceiling(max / step) * step);
    }

    private static string Label(double value) =>
        value >= 10_000 ? Invariant($"{value / 1000:0.#}k") : value >= 10 ? Invariant($"{value:0}") : Invariant($"{value:0.##}");

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
