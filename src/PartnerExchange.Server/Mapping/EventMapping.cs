using PartnerExchange.Ledger.Reading;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Mapping;

/// <summary>Outbox events to the messages of EventsService.StreamEvents.</summary>
internal static class EventMapping
{
    /// <summary>
    /// One stored event as a stream item. The kinds are numbered alike in the domain and the protos, so they map by
    /// value. Absent text fields become empty strings, as proto3 has no null.
    /// </summary>
    public static StreamEventsResponse ToStreamItem(this EventRecord record) => new()
    {
        Event = new Event
        {
            Cursor = record.Cursor,
            Kind = (EventKind)(int)record.Kind,
            OccurTime = record.OccurredAt.ToProto(),
            ProgramCode = record.ProgramCode,
            MemberNumber = record.MemberNumber,
            Points = record.Points,
            BalancePoints = record.BalancePoints,
            TransactionId = record.TransactionId ?? "",
            ReversesTransactionId = record.ReversesTransactionId ?? "",
            CounterpartyProgramCode = record.CounterpartyProgramCode ?? "",
            ExpireTime = record.ExpiresAt?.ToProto(),
            WarningDays = record.WarningDays,
            FromProgramCode = record.FromProgramCode ?? "",
            ToProgramCode = record.ToProgramCode ?? "",
            RateVersion = record.RateVersion,
        },
    };

    /// <summary>A heartbeat carrying the stream's position and the server's time.</summary>
    public static StreamEventsResponse Heartbeat(long cursor, DateTimeOffset now) => new()
    {
        Heartbeat = new Heartbeat { Cursor = cursor, ServerTime = now.ToProto() },
    };
}
