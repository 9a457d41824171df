namespace PartnerExchange.Domain.Tests;

public class ErrorReasonsTests
{
    public static TheoryData<ErrorReason> AllReasons() => new(Enum.GetValues<ErrorReason>());

    [Fact]
    public void Members_AreInTheAgreedOrder()
    {
        string[] expected =
        [
            "Unspecified", "ValidationFailed", "ApiKeyMissing", "ApiKeyInvalid", "OperatorKeyRequired",
            "PartnerKeyRequired", "PartnerSuspended", "PartnerNotFound", "ProgramCodeTaken", "MemberNotFound",
            "MemberAlreadyEnrolled", "DestinationMemberNotFound", "InsufficientPoints", "BalanceOverflow",
            "RateNotConfigured", "BelowMinimum", "AboveMaximum", "NotAnIncrement", "SameProgram",
            "CurrencyMismatch", "QuoteInvalid", "QuoteExpired", "QuoteMismatch", "TransactionNotFound",
            "AlreadyReversed", "NotReversible", "IdempotencyKeyReused", "RequestInProgress", "ApiKeyNotFound",
            "RateAllowsArbitrage", "InvalidPageToken", "RateLimited", "Internal", "ExchangeBusy", "PeriodOverlaps", "PeriodNotEnded", "PeriodNotFound", "StatementNotFound", "Overpayment", "TooManyStreams", "CursorExpired",
            "MalformedRequest", "RequestTooLarge", "ServiceNotFound",
        ];

        Assert.Equal(expected, Enum.GetNames<ErrorReason>());
        Assert.Equal(Enumerable.Range(0, expected.Length), Enum.GetValues<ErrorReason>().Select(r => (int)r));
    }

    [Theory]
    [MemberData(nameof(AllReasons))]
    public void Code_EveryReason_IsUpperSnake(ErrorReason reason)
    {
        var code = ErrorReasons.Code(reason);

        Assert.Matches("^[A-Z]+(_[A-Z]+)*$", code);
        Assert.Equal(reason.ToString().ToUpperInvariant(), code.Replace("_", string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllReasons))]
    public void Code_EveryReason_ParsesBack(ErrorReason reason)
    {
        Assert.True(ErrorReasons.TryParse(ErrorReasons.Code(reason), out var parsed));
        Assert.Equal(reason, parsed);
    }

    [Theory]
    [MemberData(nameof(AllReasons))]
    public void Code_RepeatedCalls_ReturnTheCachedString(ErrorReason reason)
    {
        Assert.Same(ErrorReasons.Code(reason), ErrorReasons.Code(reason));
    }

    [Fact]
    public void Code_AllReasons_AreUnique()
    {
        var codes = Enum.GetValues<ErrorReason>().Select(ErrorReasons.Code).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(ErrorReason.Unspecified, "UNSPECIFIED")]
    [InlineData(ErrorReason.InsufficientPoints, "INSUFFICIENT_POINTS")]
    [InlineData(ErrorReason.NotAnIncrement, "NOT_AN_INCREMENT")]
    [InlineData(ErrorReason.ApiKeyMissing, "API_KEY_MISSING")]
    [InlineData(ErrorReason.DestinationMemberNotFound, "DESTINATION_MEMBER_NOT_FOUND")]
    [InlineData(ErrorReason.RateAllowsArbitrage, "RATE_ALLOWS_ARBITRAGE")]
    [InlineData(ErrorReason.Internal, "INTERNAL")]
    [InlineData(ErrorReason.ExchangeBusy, "EXCHANGE_BUSY")]
    public void Code_KnownReason_IsTheDocumentedString(ErrorReason reason, string expected)
    {
        Assert.Equal(expected, ErrorReasons.Code(reason));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(44)]
    public void Code_UndefinedValue_Throws(int value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorReasons.Code((ErrorReason)value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("insufficient_points")]
    [InlineData("InsufficientPoints")]
    [InlineData("NOT_A_REASON")]
    public void TryParse_UnknownCode_ReturnsFalse(string? code)
    {
        Assert.False(ErrorReasons.TryParse(code, out var reason));
        Assert.Equal(ErrorReason.Unspecified, reason);
    }
}
