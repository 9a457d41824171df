using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using PartnerExchange.Domain;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;

namespace PartnerExchange.Server.Paging;

/// <summary>
/// Opaque page tokens: the cursor of the next page plus a hash of the query it belongs to, so a token
/// replayed against a different filter is refused (INVALID_PAGE_TOKEN) instead of returning a wrong page.
/// </summary>
internal static class PageTokens
{
    public static int PageSize(int requested, ExchangeOptions options) =>
        requested == 0 ? options.DefaultPageSize : requested;

    public static FieldViolation? CheckPageSize(int requested, ExchangeOptions options) =>
        requested < 0 || requested > options.MaxPageSize
            ? new FieldViolation("page_size", $"must be between 0 (the default of {options.DefaultPageSize}) and {options.MaxPageSize}")
            : null;

    /// <summary>
    /// Cuts a page from rows fetched with one extra (pageSize + 1): the extra row only tells that another
    /// page exists, whose token carries the cursor of the last row shown.
    /// </summary>
    public static (IEnumerable<T> Page, string NextPageToken) Slice<TRequest, T>(
        TRequest request, IReadOnlyList<T> fetched, int pageSize, Func<T, string> cursorOf) where TRequest : IMessage<TRequest>
    {
        var next = fetched.Count > pageSize ? Next(request, cursorOf(fetched[pageSize - 1])) : "";
        return (fetched.Take(pageSize), next);
    }

    public static string Next<TRequest>(TRequest request, string cursor) where TRequest : IMessage<TRequest> =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{QueryHash(request)}:{cursor}"));

    /// <summary>The cursor in the request's page token; null for the first page.</summary>
    public static string? Cursor<TRequest>(TRequest request, string pageToken) where TRequest : IMessage<TRequest>
    {
        if (pageToken.Length == 0)
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(pageToken));
        }
        catch (FormatException)
        {
            throw Invalid();
        }
        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || decoded[..separator] != QueryHash(request))
        {
            throw Invalid();
        }
        return decoded[(separator + 1)..];
    }

    /// <summary>A numeric cursor (a sequence or a position), or <paramref name="firstPage"/> without a token.</summary>
    public static long NumberCursor<TRequest>(TRequest request, string pageToken, long firstPage) where TRequest : IMessage<TRequest>
    {
        var cursor = Cursor(request, pageToken);
        if (cursor is null)
        {
            return firstPage;
        }
        return long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : throw Invalid();
    }

    private static string QueryHash<TRequest>(TRequest request) where TRequest : IMessage<TRequest>
    {
        var query = request.Clone();
        foreach (var name in new[] { "page_token", "page_size" })
        {
            query.Descriptor.FindFieldByName(name)?.Accessor.Clear(query);
        }
        return Convert.ToHexStringLower(SHA256.HashData(query.ToByteArray()).AsSpan(0, 8));
    }

    private static Grpc.Core.RpcException Invalid() =>
        RpcErrors.ToException(Refusal.Of(ErrorReason.InvalidPageToken, "The page token is malformed or belongs to a different query."));
}
