using System.ComponentModel.DataAnnotations;

namespace PartnerExchange.Server.Hosting;

/// <summary>Settings of settlement (section <c>Settlement</c>).</summary>
public sealed class SettlementOptions
{
    /// <summary>
    /// The network fee, in basis points of each statement's gross amount, owed by the payer to the network.
    /// Default 0 (no fee). It applies to periods closed after it changes; closed statements keep their fee.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "Settlement:NetworkFeeBasisPoints must be between 0 and 10,000 (100%).")]
    public int NetworkFeeBasisPoints { get; set; }

    /// <summary>Lines per message of ExportStatementLines. Default 500.</summary>
    [Range(1, 10_000, ErrorMessage = "Settlement:ExportBatchSize must be between 1 and 10,000.")]
    public int ExportBatchSize { get; set; } = 500;

    /// <summary>Most rows one ReconcileStatement call may send. Default 1,000,000.</summary>
    [Range(1, 100_000_000, ErrorMessage = "Settlement:MaxReconciliationRows must be between 1 and 100,000,000.")]
    public int MaxReconciliationRows { get; set; } = 1_000_000;
}
