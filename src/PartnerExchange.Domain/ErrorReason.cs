namespace PartnerExchange.Domain;

/// <summary>
/// The stable reason behind every refusal. The server sends <see cref="ErrorReasons.Code"/> of a
/// reason as the <c>google.rpc.ErrorInfo</c> reason; integrators match on those strings, so members are
/// only ever appended, never renamed or removed.
/// </summary>
public enum ErrorReason
{
    /// <summary>No reason was set; never sent on purpose.</summary>
    Unspecified,

    /// <summary>One or more request fields are invalid; the refusal lists them as field violations.</summary>
    ValidationFailed,

    /// <summary>The call carried no API key.</summary>
    ApiKeyMissing,

    /// <summary>The API key is unknown, revoked or malformed.</summary>
    ApiKeyInvalid,

    /// <summary>The method needs an operator key and a partner key was given.</summary>
    OperatorKeyRequired,

    /// <summary>The method needs a partner key and an operator key was given.</summary>
    PartnerKeyRequired,

    /// <summary>The calling or counterpart partner is suspended.</summary>
    PartnerSuspended,

    /// <summary>No partner with that identity exists.</summary>
    PartnerNotFound,

    /// <summary>Another partner already uses that program code.</summary>
    ProgramCodeTaken,

    /// <summary>The member is not enrolled in the caller's program.</summary>
    MemberNotFound,

    /// <summary>The member is already enrolled in the program.</summary>
    MemberAlreadyEnrolled,

    /// <summary>The destination member of a conversion is not enrolled in the destination program.</summary>
    DestinationMemberNotFound,

    /// <summary>A member balance would go below zero.</summary>
    InsufficientPoints,

    /// <summary>A balance or amount would not fit in a signed 64-bit integer.</summary>
    BalanceOverflow,

    /// <summary>No exchange rate is configured between the two programs.</summary>
    RateNotConfigured,

    /// <summary>The source amount is below the rate's minimum.</summary>
    BelowMinimum,

    /// <summary>The source amount is above the rate's maximum.</summary>
    AboveMaximum,

    /// <summary>The source amount is not a multiple of the rate's increment.</summary>
    NotAnIncrement,

    /// <summary>A conversion's source and destination are the same program.</summary>
    SameProgram,

    /// <summary>An amount's currency differs from the currency the rule is defined in.</summary>
    CurrencyMismatch,

    /// <summary>The quote does not exist or cannot be used by this caller.</summary>
    QuoteInvalid,

    /// <summary>The quote's lock has run out.</summary>
    QuoteExpired,

    /// <summary>The request does not match the quote it names.</summary>
    QuoteMismatch,

    /// <summary>No transaction with that identity exists in the caller's program.</summary>
    TransactionNotFound,

    /// <summary>The transaction has already been reversed.</summary>
    AlreadyReversed,

    /// <summary>The transaction is of a kind that cannot be reversed.</summary>
    NotReversible,

    /// <summary>The idempotency key was used before with a different request.</summary>
    IdempotencyKeyReused,

    /// <summary>A request with the same idempotency key is still running.</summary>
    RequestInProgress,

    /// <summary>No API key with that identity exists.</summary>
    ApiKeyNotFound,

    /// <summary>The rate, with the network's other rates, would let converting round a cycle of programs gain points.</summary>
    RateAllowsArbitrage,

    /// <summary>The page token is malformed or belongs to a different query.</summary>
    InvalidPageToken,

    /// <summary>The caller exceeded its request rate.</summary>
    RateLimited,

    /// <summary>An unexpected failure inside the service.</summary>
    Internal,

    /// <summary>The exchange's write queue is full; the request was not queued and may be retried.</summary>
    ExchangeBusy,

    /// <summary>A settlement period overlaps one already closed.</summary>
    PeriodOverlaps,

    /// <summary>A settlement period has not ended yet.</summary>
    PeriodNotEnded,

    /// <summary>No closed settlement period has this id.</summary>
    PeriodNotFound,

    /// <summary>No statement has this id.</summary>
    StatementNotFound,

    /// <summary>A payment exceeds the statement's outstanding amount.</summary>
    Overpayment,

    /// <summary>The partner already has as many open event streams as it may.</summary>
    TooManyStreams,

    /// <summary>Events after the requested cursor have been removed by event retention.</summary>
    CursorExpired,

    /// <summary>The request could not be read: not a valid protobuf message of the RPC's request type, or invalid UTF-8.</summary>
    MalformedRequest,

    /// <summary>The request message is larger than the exchange accepts.</summary>
    RequestTooLarge,

    /// <summary>The standard health service reports no status for the service name asked.</summary>
    ServiceNotFound,
}
