using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PartnerExchange.Domain.Settlement;

/// <summary>
/// Content hashes of statements and periods: SHA-256, written as 64 lower-case hex digits, over a
/// canonical text that holds only what the ledger can reproduce — no ids, no creation times — so both
/// sides can recompute and compare them.
/// </summary>
/// <remarks>
/// <para>A statement's canonical text is UTF-8, one item per line, every line ending in a single LF
/// (0x0A); integers are base-10 with a leading '-' when negative and no leading zeros or separators:</para>
/// <code>
/// partnerexchange.statement.v1
/// period_start_micros={Unix microseconds, inclusive}
/// period_end_micros={Unix microseconds, exclusive}
/// payer={payer program code}
/// payee={payee program code}
/// currency={ISO 4217 code}
/// line_count={n}
/// destination_points={sum}
/// gross_amount_micros={sum}
/// gross_amount_minor={rounded}
/// network_fee_minor={fee}
/// amount_due_minor={due}
/// line={sequence},{transaction_id},{destination_points},{amount_micros}
/// …one "line=" per line, in ascending sequence
/// </code>
/// <para>A period's hash is SHA-256 over its statements' hashes in statement order (payer, payee,
/// currency, ordinal), each as its 64 hex digits followed by LF; a period without statements hashes the
/// empty text.</para>
/// </remarks>
public static class ContentHashes
{
    /// <summary>The first line of a statement's canonical text; a new encoding gets a new version.</summary>
    public const string StatementHeader = "partnerexchange.statement.v1";

    /// <summary>The SHA-256 (hex) of a statement's canonical text.</summary>
    public static string Statement(PeriodBounds bounds, StatementParties parties, StatementTotals totals, IEnumerable<ObligationLine> lines) =>
        Sha256Hex(StatementText(bounds, parties, totals, lines));

    /// <summary>The canonical text of a statement (see the remarks of <see cref="ContentHashes"/>).</summary>
    public static string StatementText(PeriodBounds bounds, StatementParties parties, StatementTotals totals, IEnumerable<ObligationLine> lines)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(totals);
        ArgumentNullException.ThrowIfNull(lines);
        var text = new StringBuilder();
        AppendRaw(text, StatementHeader);
        Append(text, $"period_start_micros={bounds.StartMicros}");
        Append(text, $"period_end_micros={bounds.EndMicros}");
        Append(text, $"payer={parties.PayerProgramCode}");
        Append(text, $"payee={parties.PayeeProgramCode}");
        Append(text, $"currency={parties.CurrencyCode}");
        Append(text, $"line_count={totals.LineCount}");
        Append(text, $"destination_points={totals.DestinationPoints}");
        Append(text, $"gross_amount_micros={totals.GrossAmountMicros}");
        Append(text, $"gross_amount_minor={totals.GrossAmountMinor}");
        Append(text, $"network_fee_minor={totals.NetworkFeeMinor}");
        Append(text, $"amount_due_minor={totals.AmountDueMinor}");
        var previous = long.MinValue;
        foreach (var line in lines)
        {
            if (line.Sequence <= previous)
            {
                throw new ArgumentException("Statement lines must be in ascending sequence order, each once.", nameof(lines));
            }
            previous = line.Sequence;
            Append(text, $"line={line.Sequence},{line.TransactionId},{line.DestinationPoints},{line.AmountMicros}");
        }
        return text.ToString();
    }

    /// <summary>The SHA-256 (hex) over a period's statement hashes in statement order, each followed by LF.</summary>
    public static string Period(IEnumerable<string> statementHashes)
    {
        ArgumentNullException.ThrowIfNull(statementHashes);
        var text = new StringBuilder();
        foreach (var hash in statementHashes)
        {
            AppendRaw(text, hash);
        }
        return Sha256Hex(text.ToString());
    }

    private static void Append(StringBuilder text, FormattableString line) =>
        text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void AppendRaw(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
