using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using PartnerExchange.V1;

namespace PartnerExchange.Client;

/// <summary>
/// A client of one PartnerExchange server acting with one API key. It sends the key on every call, gives every
/// mutation one idempotency key that all its retries share, retries only transient failures, and keeps each
/// logical operation, retries included, within <see cref="PartnerExchangeClientOptions.Deadline"/>.
/// </summary>
/// <remarks>
/// <para>
/// Create one client per API key and reuse it; it is safe to use from many threads at once. The typed methods
/// throw <see cref="PartnerExchangeException"/> when the server refuses a call or cannot be reached in time,
/// and <see cref="OperationCanceledException"/> when the caller's cancellation token fires.
/// </para>
/// <para>
/// The raw generated clients (<see cref="Points"/>, <see cref="Conversions"/>, <see cref="Admin"/>) send the
/// API key too, but nothing else: no idempotency keys, deadlines or retries, and they throw
/// <see cref="RpcException"/>, which <see cref="PartnerExchangeException(RpcException)"/> can read.
/// </para>
/// <para>
/// Idempotency keys: a mutation called without a key gets a new one, which every retry of that call reuses.
/// When a mutation throws with an unknown outcome (DEADLINE_EXCEEDED, UNAVAILABLE), repeat it with the key
/// from <see cref="PartnerExchangeException.IdempotencyKey"/>, never with a new one, or a second posting may
/// result. Callers that may repeat an operation later, even after a restart, should pass their own key,
/// derived from their own record of the operation (an order id, say).
/// </para>
/// </remarks>
public sealed class PartnerExchangeClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly TimeSpan _deadline;
    private readonly RetryPolicy _retryPolicy;

    /// <summary>Creates a client with its own connection to <see cref="PartnerExchangeClientOptions.Address"/>.</summary>
    /// <param name="options">Where the server is, the API key, and the deadline and retry settings.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says how to fix them.</exception>
    public PartnerExchangeClient(PartnerExchangeClientOptions options)
        : this(options, CreateChannel(options, httpHandler: null))
    {
    }

    /// <summary>
    /// Creates a client that sends its calls through <paramref name="httpHandler"/>: an in-memory test
    /// server's handler, or a <see cref="SocketsHttpHandler"/> shared by the clients of several API keys.
    /// </summary>
    /// <param name="options">Where the server is, the API key, and the deadline and retry settings.</param>
    /// <param name="httpHandler">The handler to send HTTP/2 requests through. The client does not dispose it.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says how to fix them.</exception>
    public PartnerExchangeClient(PartnerExchangeClientOptions options, HttpMessageHandler httpHandler)
        : this(options, CreateChannel(options, httpHandler ?? throw new ArgumentNullException(nameof(httpHandler))))
    {
    }

    private PartnerExchangeClient(PartnerExchangeClientOptions options, GrpcChannel channel)
    {
        _channel = channel;
        _deadline = options.Deadline;
        _retryPolicy = new RetryPolicy(options.MaxAttempts, options.InitialBackoff, options.MaxBackoff);
        CallInvoker = channel.Intercept(new BearerTokenInterceptor(options.ApiKey));
        Points = new PointsService.PointsServiceClient(CallInvoker);
        Conversions = new ConversionService.ConversionServiceClient(CallInvoker);
        Admin = new AdminService.AdminServiceClient(CallInvoker);
        Events = new EventsService.EventsServiceClient(CallInvoker);
    }

    /// <summary>
    /// The client's connection with the API key applied and nothing else, for the generated client of any other
    /// service (SettlementService, DiagnosticsService, grpc.health.v1.Health): <c>new
    /// SettlementService.SettlementServiceClient(exchange.CallInvoker)</c>. A call that carries its own
    /// <c>authorization</c> header keeps it.
    /// </summary>
    public CallInvoker CallInvoker { get; }

    /// <summary>The generated PointsService client, with the API key applied and nothing else.</summary>
    public PointsService.PointsServiceClient Points { get; }

    /// <summary>The generated ConversionService client, with the API key applied and nothing else.</summary>
    public ConversionService.ConversionServiceClient Conversions { get; }

    /// <summary>The generated AdminService client (operator keys only), with the API key applied and nothing else.</summary>
    public AdminService.AdminServiceClient Admin { get; }

    /// <summary>The generated EventsService client, with the API key applied and nothing else.</summary>
    public EventsService.EventsServiceClient Events { get; }

    /// <summary>Enrolls a member number in the caller's program.</summary>
    /// <param name="memberNumber">
    /// The partner's member number: 1–64 characters of A–Z, a–z, 0–9, '.', '_' and '-'.
    /// </param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The enrolled member.</returns>
    /// <exception cref="PartnerExchangeException">For example MEMBER_ALREADY_ENROLLED or PARTNER_SUSPENDED.</exception>
    public Task<EnrollMemberResponse> EnrollMemberAsync(
        string memberNumber, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberNumber);
        var request = new EnrollMemberRequest
        {
            IdempotencyKey = KeyOrNew(idempotencyKey),
            MemberNumber = memberNumber,
        };
        return InvokeAsync(request, request.IdempotencyKey, Points.EnrollMemberAsync, cancellationToken);
    }

    /// <summary>Gives a number of points to a member of the caller's program.</summary>
    /// <param name="memberNumber">The member to credit.</param>
    /// <param name="points">Points to give, at least 1.</param>
    /// <param name="reason">Why the points are given; not <see cref="AccrualReason.Unspecified"/>.</param>
    /// <param name="reference">The partner's own reference (an order number, say), up to 128 characters.</param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The accrual and the member's balance right after it.</returns>
    /// <exception cref="PartnerExchangeException">For example MEMBER_NOT_FOUND or BALANCE_OVERFLOW.</exception>
    public Task<AccrueResponse> AccrueAsync(
        string memberNumber,
        long points,
        AccrualReason reason,
        string? reference = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        var request = NewAccrueRequest(memberNumber, reason, reference, idempotencyKey);
        request.Points = points;
        return InvokeAsync(request, request.IdempotencyKey, Points.AccrueAsync, cancellationToken);
    }

    /// <summary>Gives a member the points a purchase earns under the program's earn rule (rounded down).</summary>
    /// <param name="memberNumber">The member to credit.</param>
    /// <param name="purchase">The purchase amount, positive and in the earn rule's currency.</param>
    /// <param name="reason">Why the points are given, usually <see cref="AccrualReason.Purchase"/>.</param>
    /// <param name="reference">The partner's own reference (an order number, say), up to 128 characters.</param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The accrual and the member's balance right after it.</returns>
    /// <exception cref="PartnerExchangeException">For example MEMBER_NOT_FOUND or CURRENCY_MISMATCH.</exception>
    public Task<AccrueResponse> AccrueAsync(
        string memberNumber,
        Money purchase,
        AccrualReason reason,
        string? reference = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(purchase);
        var request = NewAccrueRequest(memberNumber, reason, reference, idempotencyKey);
        request.Purchase = purchase;
        return InvokeAsync(request, request.IdempotencyKey, Points.AccrueAsync, cancellationToken);
    }

    /// <summary>Takes points from a member of the caller's program for a reward.</summary>
    /// <param name="memberNumber">The member to debit.</param>
    /// <param name="points">Points to take, at least 1.</param>
    /// <param name="reference">The partner's own reference, up to 128 characters.</param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The redemption and the member's balance right after it.</returns>
    /// <exception cref="PartnerExchangeException">For example INSUFFICIENT_POINTS or MEMBER_NOT_FOUND.</exception>
    public Task<RedeemResponse> RedeemAsync(
        string memberNumber,
        long points,
        string? reference = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberNumber);
        var request = new RedeemRequest
        {
            IdempotencyKey = KeyOrNew(idempotencyKey),
            MemberNumber = memberNumber,
            Points = points,
            Reference = reference ?? "",
        };
        return InvokeAsync(request, request.IdempotencyKey, Points.RedeemAsync, cancellationToken);
    }

    /// <summary>Undoes one earlier transaction of the caller, in full and at most once.</summary>
    /// <param name="transactionId">The transaction to undo.</param>
    /// <param name="reference">The partner's own reference or reason, up to 128 characters.</param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The reversal and the affected member's balance right after it.</returns>
    /// <exception cref="PartnerExchangeException">For example ALREADY_REVERSED or INSUFFICIENT_POINTS.</exception>
    public Task<ReverseResponse> ReverseAsync(
        string transactionId,
        string? reference = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        var request = new ReverseRequest
        {
            IdempotencyKey = KeyOrNew(idempotencyKey),
            TransactionId = transactionId,
            Reference = reference ?? "",
        };
        return InvokeAsync(request, request.IdempotencyKey, Points.ReverseAsync, cancellationToken);
    }

    /// <summary>
    /// Converts points from a member of the caller's program to a member of another program, atomically.
    /// </summary>
    /// <param name="sourceMemberNumber">The caller's member whose points are converted.</param>
    /// <param name="destinationProgramCode">The program to convert into.</param>
    /// <param name="destinationMemberNumber">The member of the destination program who receives the points.</param>
    /// <param name="sourcePoints">Source points to convert; the rate's fee comes on top.</param>
    /// <param name="quoteId">
    /// A quote id from <see cref="QuoteAsync"/> to convert on its terms; <see langword="null"/> for the current rate.
    /// </param>
    /// <param name="reference">The partner's own reference, up to 128 characters.</param>
    /// <param name="idempotencyKey">
    /// The operation's idempotency key, <see langword="null"/> to generate one; see the class remarks.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The conversion, the source member's new balance, and what the caller owes in settlement.</returns>
    /// <exception cref="PartnerExchangeException">For example INSUFFICIENT_POINTS or QUOTE_EXPIRED.</exception>
    public Task<ConvertResponse> ConvertAsync(
        string sourceMemberNumber,
        string destinationProgramCode,
        string destinationMemberNumber,
        long sourcePoints,
        string? quoteId = null,
        string? reference = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceMemberNumber);
        ArgumentNullException.ThrowIfNull(destinationProgramCode);
        ArgumentNullException.ThrowIfNull(destinationMemberNumber);
        var request = new ConvertRequest
        {
            IdempotencyKey = KeyOrNew(idempotencyKey),
            SourceMemberNumber = sourceMemberNumber,
            DestinationProgramCode = destinationProgramCode,
            DestinationMemberNumber = destinationMemberNumber,
            SourcePoints = sourcePoints,
            QuoteId = quoteId ?? "",
            Reference = reference ?? "",
        };
        return InvokeAsync(request, request.IdempotencyKey, Conversions.ConvertAsync, cancellationToken);
    }

    /// <summary>Reads one transaction by its id, as the caller's program sees it.</summary>
    /// <param name="transactionId">The id a response or an event gave.</param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The transaction: its kind, the caller's member, the signed points and the rest of its record.</returns>
    /// <exception cref="PartnerExchangeException">For example TRANSACTION_NOT_FOUND.</exception>
    public async Task<Transaction> GetTransactionAsync(string transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        var request = new GetTransactionRequest { TransactionId = transactionId };
        var response = await InvokeAsync(request, idempotencyKey: "", Points.GetTransactionAsync, cancellationToken).ConfigureAwait(false);
        return response.Transaction;
    }

    /// <summary>Reads a member's balance and lifetime totals.</summary>
    /// <param name="memberNumber">The member, enrolled in the caller's program.</param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The member, balance, totals and the sequence of the last transaction on the account.</returns>
    /// <exception cref="PartnerExchangeException">For example MEMBER_NOT_FOUND.</exception>
    public Task<GetAccountResponse> GetAccountAsync(string memberNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberNumber);
        var request = new GetAccountRequest { MemberNumber = memberNumber };
        return InvokeAsync(request, idempotencyKey: "", Points.GetAccountAsync, cancellationToken);
    }

    /// <summary>Prices a conversion now, exactly as <see cref="ConvertAsync"/> would, without moving points.</summary>
    /// <param name="destinationProgramCode">The program to convert into.</param>
    /// <param name="sourcePoints">Source points to convert; the rate's fee comes on top.</param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The quote, with an id that locks its terms until its expire time.</returns>
    /// <exception cref="PartnerExchangeException">For example RATE_NOT_CONFIGURED or BELOW_MINIMUM.</exception>
    public Task<QuoteResponse> QuoteAsync(
        string destinationProgramCode, long sourcePoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destinationProgramCode);
        var request = new QuoteRequest { DestinationProgramCode = destinationProgramCode, SourcePoints = sourcePoints };
        return InvokeAsync(request, idempotencyKey: "", Conversions.QuoteAsync, cancellationToken);
    }

    /// <summary>Lists one page of the active exchange rates out of the caller's program.</summary>
    /// <param name="request">The page size and token; <c>new ListRatesRequest()</c> for the first page.</param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The rates and the token of the next page, empty on the last page.</returns>
    /// <exception cref="PartnerExchangeException">For example INVALID_PAGE_TOKEN.</exception>
    public Task<ListRatesResponse> ListRatesAsync(ListRatesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InvokeAsync(request, idempotencyKey: "", Conversions.ListRatesAsync, cancellationToken);
    }

    /// <summary>Lists one page of the transactions of the caller's program or of one member, newest first.</summary>
    /// <param name="request">The filters, page size and page token.</param>
    /// <param name="cancellationToken">Cancels the operation, retries included.</param>
    /// <returns>The transactions and the token of the next page, empty on the last page.</returns>
    /// <exception cref="PartnerExchangeException">For example MEMBER_NOT_FOUND or INVALID_PAGE_TOKEN.</exception>
    public Task<ListTransactionsResponse> ListTransactionsAsync(
        ListTransactionsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InvokeAsync(request, idempotencyKey: "", Points.ListTransactionsAsync, cancellationToken);
    }

    /// <summary>
    /// Lists every transaction that matches <paramref name="request"/>, newest first, fetching page after page
    /// as the caller enumerates. Each page is its own operation, with its own deadline and retries.
    /// </summary>
    /// <param name="request">
    /// The filters and page size; its page token, if any, is where listing starts. The request is not changed.
    /// </param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The transactions, page after page.</returns>
    /// <exception cref="PartnerExchangeException">A page could not be read, for example MEMBER_NOT_FOUND.</exception>
    public IAsyncEnumerable<Transaction> ListAllTransactionsAsync(
        ListTransactionsRequest request, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator so a null request fails at the call, not at the first read.
        ArgumentNullException.ThrowIfNull(request);
        return ListPagesAsync(request.Clone(), cancellationToken);
    }

    /// <summary>
    /// Follows the events of the caller's program after <paramref name="afterCursor"/>, in commit order, for as long
    /// as the caller enumerates: first the stored ones, then new ones as they commit. When the stream breaks for a
    /// transient reason (UNAVAILABLE, e.g. a server stopping; TOO_MANY_STREAMS, e.g. a server that has not yet noticed
    /// an earlier stream is gone) it reconnects after the server's RetryInfo delay or a backoff and resumes after the
    /// last event it yielded, so each event is yielded once. Heartbeats are not yielded. Store the cursor of the last
    /// event you processed, and pass it here after a restart of your own process.
    /// </summary>
    /// <param name="afterCursor">Start after this cursor; 0 starts from the program's first event.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>The events, as they come; the enumeration ends only by cancellation or an exception.</returns>
    /// <exception cref="PartnerExchangeException">
    /// The stream was refused for good (e.g. a revoked key), or it broke <see cref="PartnerExchangeClientOptions.MaxAttempts"/>
    /// times in a row without delivering an event.
    /// </exception>
    public IAsyncEnumerable<Event> FollowEventsAsync(long afterCursor = 0, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator so a bad cursor fails at the call, not at the first read.
        ArgumentOutOfRangeException.ThrowIfNegative(afterCursor);
        return new EventFollower(Events, _retryPolicy).FollowAsync(afterCursor, cancellationToken);
    }

    /// <summary>Closes the client's connection. Calls still running fail.</summary>
    public void Dispose() => _channel.Dispose();

    private async IAsyncEnumerable<Transaction> ListPagesAsync(
        ListTransactionsRequest page, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await ListTransactionsAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var transaction in response.Transactions)
            {
                yield return transaction;
            }

            if (response.NextPageToken.Length == 0)
            {
                yield break;
            }

            // A server that hands back the token it was given would keep this loop going for ever.
            if (response.NextPageToken == page.PageToken)
            {
                throw new InvalidOperationException(
                    "The server returned the same page token it was sent; listing stopped to avoid an endless loop.");
            }

            page.PageToken = response.NextPageToken;
        }
    }

    /// <summary>
    /// Runs one logical operation: sends <paramref name="request"/> unchanged on every attempt (so a mutation
    /// keeps its idempotency key) until it succeeds, fails for good, or runs out of attempts or time.
    /// <paramref name="idempotencyKey"/> is the request's key, empty for reads, and goes into the exception.
    /// </summary>
    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        TRequest request,
        string idempotencyKey,
        Func<TRequest, CallOptions, AsyncUnaryCall<TResponse>> call,
        CancellationToken cancellationToken)
    {
        // One absolute deadline bounds the whole operation: each attempt carries it as its gRPC deadline, and
        // no wait between attempts may reach it.
        var deadlineUtc = DateTime.UtcNow + _deadline;
        var callOptions = new CallOptions(deadline: deadlineUtc, cancellationToken: cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            PartnerExchangeException failure;
            try
            {
                using var rpc = call(request, callOptions);
                return await rpc.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex)
                when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                // The caller gave up; .NET callers expect OperationCanceledException for that, not an RPC error.
                throw new OperationCanceledException("The operation was canceled.", ex, cancellationToken);
            }
            catch (RpcException ex)
            {
                failure = new PartnerExchangeException(ex, idempotencyKey);
            }

            var delay = _retryPolicy.DelayBeforeRetry(failure, attempt, deadlineUtc - DateTime.UtcNow);
            if (delay is not { } wait)
            {
                throw failure;
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static GrpcChannel CreateChannel(PartnerExchangeClientOptions options, HttpMessageHandler? httpHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // DisposeHttpClient stays false: a handler passed in belongs to the caller, who may share it.
        return GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions { HttpHandler = httpHandler });
    }

    private static AccrueRequest NewAccrueRequest(
        string memberNumber, AccrualReason reason, string? reference, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(memberNumber);
        return new AccrueRequest
        {
            IdempotencyKey = KeyOrNew(idempotencyKey),
            MemberNumber = memberNumber,
            Reason = reason,
            Reference = reference ?? "",
        };
    }

    /// <summary>
    /// The caller's key, or a new one for this logical operation. It is set on the request once, before the
    /// first attempt, so every retry carries the same key and the server runs the operation at most once.
    /// </summary>
    private static string KeyOrNew(string? idempotencyKey)
    {
        if (idempotencyKey is null)
        {
            // Time-ordered (UUIDv7): the ledger keeps its idempotency records in key order, and keys that grow
            // with time land at the end of that index instead of on a random page of it.
            return Guid.CreateVersion7().ToString("N");
        }

        // An empty key is always a mistake, and an easy one to make with a string that was never filled in.
        return idempotencyKey.Length > 0
            ? idempotencyKey
            : throw new ArgumentException(
                "The idempotency key is empty. Pass null to have the client generate one.", nameof(idempotencyKey));
    }
}
