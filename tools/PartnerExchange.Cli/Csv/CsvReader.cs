using System.Text;

namespace PartnerExchange.Cli.Csv;

/// <summary>
/// Reads RFC 4180 CSV one record at a time: quoted fields may hold commas, doubled quotes and line breaks; lines
/// may end in CRLF or LF. Records are numbered by the physical line they start on, for error messages.
/// </summary>
internal sealed class CsvReader(TextReader reader)
{
    // A limit on one record, so a file with a missing closing quote fails clearly instead of eating memory.
    private const int MaxRecordChars = 64 * 1024;

    private int _lineNumber;

    /// <summary>Reads the next record, or returns <see langword="null"/> at the end of the input.</summary>
    /// <exception cref="FormatException">A quote is misplaced or never closed, or a record is too long.</exception>
    public async Task<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            return null;
        }
        var startLine = ++_lineNumber;
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var quotedField = false;
        while (true)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (inQuotes)
                {
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    quotedField = false;
                }
                else if (c == '"' && field.Length == 0 && !quotedField)
                {
                    inQuotes = true;
                    quotedField = true;
                }
                else if (quotedField)
                {
                    throw new FormatException($"line {_lineNumber}: text after a quoted field's closing quote.");
                }
                else if (c == '"')
                {
                    throw new FormatException($"line {_lineNumber}: a quote inside an unquoted field; quote the whole field and double the quote.");
                }
                else
                {
                    field.Append(c);
                }
            }
            if (!inQuotes)
            {
                fields.Add(field.ToString());
                return new CsvRecord(startLine, fields);
            }

            // A quoted field goes on over the line break, which belongs to the field.
            line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new FormatException($"line {startLine}: a quoted field is never closed.");
            _lineNumber++;
            field.Append('\n');
            if (field.Length + line.Length > MaxRecordChars)
            {
                throw new FormatException($"line {startLine}: a record is longer than {MaxRecordChars} characters.");
            }
        }
    }
}

/// <summary>One CSV record and the line it starts on.</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields)
{
    /// <summary>True for an empty line, which readers skip.</summary>
    public bool IsBlank => Fields.Count == 1 && Fields[0].Length == 0;
}
