using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using PartnerExchange.Domain;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// Request messages the exchange could not read. grpc-dotnet deserializes a request before any interceptor
/// runs, so a parse failure there would answer before authentication, with no ErrorInfo and a logged stack
/// trace. Instead the exchange's marshallers never throw: an unreadable body becomes an empty message marked
/// here, and <see cref="UnreadableRequestInterceptor"/> refuses it after authentication and the role check.
/// </summary>
internal static class UnreadableRequests
{
    // Keyed by the message instance, which only the call that read it holds; the mark goes with the message.
    private static readonly ConditionalWeakTable<object, Refusal> Marks = [];

    private static readonly Refusal Malformed = Refusal.Of(ErrorReason.MalformedRequest,
        "The request body is not a valid protobuf message of this RPC's request type (or a string field is not valid UTF-8).");

    /// <summary>Why <paramref name="message"/> could not be read, or null when it was read.</summary>
    public static Refusal? RefusalOf(object? message) =>
        message is not null && Marks.TryGetValue(message, out var refusal) ? refusal : null;

    /// <summary>
    /// A marshaller that reads as <paramref name="inner"/> does, except that a body over
    /// <paramref name="maxRequestBytes"/> or one that does not parse comes back as an empty, marked message.
    /// </summary>
    public static Marshaller<T> Tolerant<T>(Marshaller<T> inner, int maxRequestBytes) where T : class
    {
        ArgumentNullException.ThrowIfNull(inner);
        var tooLarge = TooLarge(maxRequestBytes);
        var read = inner.ContextualDeserializer;
        return new Marshaller<T>(inner.ContextualSerializer, context =>
        {
            if (context.PayloadLength > maxRequestBytes)
            {
                return Marked<T>(tooLarge);
            }
            try
            {
                return read(context);
            }
            // Bad wire format, or invalid UTF-8 in a string field (a DecoderFallbackException, an ArgumentException).
            catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException)
            {
                return Marked<T>(Malformed);
            }
        });
    }

    /// <summary>The refusal of a request message over <paramref name="maxRequestBytes"/>, wherever it is found to be.</summary>
    public static Refusal TooLarge(int maxRequestBytes) =>
        Refusal.Of(ErrorReason.RequestTooLarge, $"The request message is larger than the exchange accepts ({maxRequestBytes} bytes).",
            ("max_request_bytes", maxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static T Marked<T>(Refusal refusal) where T : class
    {
        var empty = Activator.CreateInstance<T>();
        Marks.AddOrUpdate(empty, refusal);
        return empty;
    }
}
