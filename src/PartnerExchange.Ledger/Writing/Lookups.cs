using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Writing;

/// <summary>Reads the writer needs inside its transaction, so decisions and writes see the same state.</summary>
internal static class Lookups
{
    public static PartnerRecord? Partner(LedgerWriteTransaction tx, string programCode)
    {
        var partner = tx.Partners.Find(programCode);
        if (partner is not null)
        {
            // The row carries the expiry policy: the lots this request opens or checks need not read it again.
            tx.NoteExpiryPolicy(programCode, partner.ExpiryPolicy);
        }
        return partner;
    }

    public static bool IsEnrolled(LedgerWriteTransaction tx, string programCode, string memberNumber) =>
        tx.Accounts.Find(AccountRef.Member(programCode, memberNumber)) is not null;
}

/// <summary>Stored partner status values.</summary>
internal static class PartnerStatus
{
    public const int Active = 1;
    public const int Suspended = 2;
}

/// <summary>Stored times are Unix microseconds: exact, sortable and the same on every provider.</summary>
internal static class Time
{
    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static long ToUnixMicros(this DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
