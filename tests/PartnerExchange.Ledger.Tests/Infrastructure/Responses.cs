using System.Globalization;
using System.Text;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// The tests' stand-in for the server's response encoding: a success stores "sequence|transaction id|balance"
/// (or the record's text for configuration commands), a refusal stores its stable reason code.
/// </summary>
internal static class Responses
{
    public static StoredResponse Encode<T>(Outcome<T> outcome) =>
        outcome.IsSuccess
            ? new StoredResponse(false, Encoding.UTF8.GetBytes(Describe(outcome.Value)))
            : new StoredResponse(true, Encoding.UTF8.GetBytes(ErrorReasons.Code(outcome.Refusal.Reason)));

    public static string Text(StoredResponse response) => Encoding.UTF8.GetString(response.Payload);

    /// <summary>The reason of a stored refusal; fails the test when the response is a success.</summary>
    public static ErrorReason ReasonOf(StoredResponse response)
    {
        Assert.True(response.IsRefusal, $"Expected a refusal, got a success: {Text(response)}");
        Assert.True(ErrorReasons.TryParse(Text(response), out var reason), $"Not a reason code: {Text(response)}");
        return reason;
    }

    /// <summary>The sequence of a stored movement or conversion; fails the test when the response is a refusal.</summary>
    public static long SequenceOf(StoredResponse response) =>
        long.Parse(Field(response, 0), NumberStyles.None, CultureInfo.InvariantCulture);

    public static string TransactionIdOf(StoredResponse response) => Field(response, 1);

    public static long BalanceOf(StoredResponse response) =>
        long.Parse(Field(response, 2), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Field(StoredResponse response, int index)
    {
        Assert.False(response.IsRefusal, $"Expected a success, got a refusal: {Text(response)}");
        var fields = Text(response).Split('|');
        Assert.Equal(3, fields.Length);
        return fields[index];
    }

    private static string Describe(object? value) => value switch
    {
        PostedMovement m => Movement(m.Transaction, m.BalancePoints),
        PostedConversion c => Movement(c.Transaction, c.BalancePoints),
        _ => value?.ToString() ?? "",
    };

    private static string Movement(TransactionView transaction, long balancePoints) =>
        string.Create(CultureInfo.InvariantCulture, $"{transaction.Sequence}|{transaction.TransactionId}|{balancePoints}");
}
