using System.Text;

namespace PartnerExchange.Cli.Csv;

/// <summary>Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF.</summary>
internal sealed class CsvWriter(TextWriter writer)
{
    private readonly StringBuilder _line = new();

    public Task WriteRowAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        _line.Clear();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }
            Append(fields[i]);
        }
        _line.Append("\r\n");
        return writer.WriteAsync(_line, cancellationToken);
    }

    private void Append(string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _line.Append(field);
            return;
        }
        _line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
