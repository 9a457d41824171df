using Google.Protobuf;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PartnerExchange.Cli.Output;

/// <summary>
/// Where a command's results go. With <c>--output table</c> people get Spectre.Console tables on stdout; with
/// <c>--output json</c> scripts get exactly one JSON document on stdout. Progress always goes to stderr, and only
/// when stderr is an interactive terminal, so stdout stays clean for pipes.
/// </summary>
internal sealed class Terminal
{
    // Width for output that is not a terminal (a pipe, a file, a test): wide enough that tables do not wrap.
    private const int UnboundedWidth = 240;

    // Every field is written, defaults included, so a script sees the same keys whatever the values.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    public Terminal(TextWriter stdout, TextWriter stderr, bool json)
    {
        Stdout = stdout;
        Stderr = stderr;
        IsJson = json;
        Console = CreateConsole(stdout);
        ErrorConsole = CreateConsole(stderr);
    }

    /// <summary>True with <c>--output json</c>.</summary>
    public bool IsJson { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>The Spectre console over stdout, for tables.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The Spectre console over stderr, for progress.</summary>
    public IAnsiConsole ErrorConsole { get; }

    /// <summary>True when progress can be drawn: stderr is an interactive terminal.</summary>
    public bool CanShowProgress => ErrorConsole.Profile.Capabilities.Interactive && ErrorConsole.Profile.Capabilities.Ansi;

    /// <summary>Writes one protobuf message as the command's JSON document (proto3 JSON mapping, camelCase).</summary>
    public void WriteJson(IMessage message) => Stdout.WriteLine(Formatter.Format(message));

    /// <summary>Formats one message as JSON without writing it, for documents that embed messages.</summary>
    public static string FormatJson(IMessage message) => Formatter.Format(message);

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>Writes a line of plain text (no markup is interpreted).</summary>
    public void Line(string text = "") => Stdout.WriteLine(text);

    /// <summary>A table with the given column headers and no border clutter.</summary>
    public static Table NewTable(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)).NoWrap());
        }
        return table;
    }

    /// <summary>Adds a row of plain-text cells (markup characters such as '[' are escaped).</summary>
    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(cell)).ToArray());

    /// <summary>Two columns of field names and values, for showing one resource.</summary>
    public static Grid NewDetails(IEnumerable<(string Name, string Value)> rows)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (name, value) in rows)
        {
            grid.AddRow(new Text(name), new Text(value));
        }
        return grid;
    }

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var output = new AnsiConsoleOutput(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = output,
            Ansi = output.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = output.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = output.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!output.IsTerminal)
        {
            console.Profile.Width = UnboundedWidth;
        }
        return console;
    }
}
