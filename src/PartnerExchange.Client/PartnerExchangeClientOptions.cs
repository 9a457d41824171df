namespace PartnerExchange.Client;

/// <summary>
/// Settings of a <see cref="PartnerExchangeClient"/>: where the server is, which API key to send, and how long
/// one logical operation may take, including its retries.
/// </summary>
/// <remarks>
/// The client copies these values when it is created; changing the options afterwards does not affect it.
/// Call <see cref="Validate"/> to check them early, for example at start-up; the client validates them too.
/// </remarks>
public sealed class PartnerExchangeClientOptions
{
    /// <summary>The largest <see cref="Deadline"/> accepted: 1 hour.</summary>
    public static readonly TimeSpan DeadlineMax = TimeSpan.FromHours(1);

    /// <summary>The largest <see cref="MaxAttempts"/> accepted: 10.</summary>
    public const int MaxAttemptsMax = 10;

    /// <summary>The largest <see cref="MaxBackoff"/> accepted: 1 minute.</summary>
    public static readonly TimeSpan MaxBackoffMax = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The server's address, for example <c>https://exchange.example.com</c> or, for a local server,
    /// <c>http://127.0.0.1:5000</c>. Required; there is no default.
    /// </summary>
    /// <remarks>
    /// An <c>http://</c> address sends the API key unencrypted. Use it only for a server on the same machine
    /// or behind a transport that encrypts for you (a service mesh, say); use <c>https://</c> everywhere else.
    /// </remarks>
    public required Uri Address { get; set; }

    /// <summary>
    /// The API key secret that CreateApiKey returned, sent as <c>authorization: Bearer &lt;key&gt;</c> on every
    /// call. Required; there is no default. Send the secret alone, without the <c>Bearer </c> prefix.
    /// </summary>
    public required string ApiKey { get; set; }

    /// <summary>
    /// The whole time budget of one logical operation: every attempt and every wait between attempts must
    /// end within it, and each attempt is sent with the operation's deadline. Default: 10 seconds. Allowed:
    /// more than zero, at most <see cref="DeadlineMax"/>.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many times one logical operation is attempted at most, the first attempt included; 1 turns
    /// retries off. Default: 4. Allowed: 1 to <see cref="MaxAttemptsMax"/>.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>
    /// The upper bound of the wait before the first retry when the server does not say how long to wait;
    /// it doubles with every further retry up to <see cref="MaxBackoff"/>, and each wait is drawn at random
    /// between half the bound and the bound. Default: 100 milliseconds. Allowed: more than zero, at most
    /// <see cref="MaxBackoff"/>.
    /// </summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The cap of the doubling wait between retries. A delay the server asks for (google.rpc.RetryInfo) is
    /// honoured as sent and is not capped. Default: 2 seconds. Allowed: at least <see cref="InitialBackoff"/>,
    /// at most <see cref="MaxBackoffMax"/>.
    /// </summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">
    /// One or more settings are invalid; the message names each one and says how to fix it.
    /// </exception>
    public void Validate()
    {
        var problems = new List<string>();
        ValidateAddress(problems);
        ValidateApiKey(problems);
        ValidateLimits(problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"{nameof(PartnerExchangeClientOptions)} are invalid:{Environment.NewLine}- "
                + string.Join($"{Environment.NewLine}- ", problems));
        }
    }

    private void ValidateAddress(List<string> problems)
    {
        if (Address is null)
        {
            problems.Add(
                $"{nameof(Address)} is not set. Set it to the server's address, e.g. "
                + "https://exchange.example.com or http://127.0.0.1:5000.");
        }
        else if (!Address.IsAbsoluteUri || (Address.Scheme != Uri.UriSchemeHttps && Address.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add(
                $"{nameof(Address)} '{Address}' is not an absolute http:// or https:// address. "
                + "Give scheme, host and port, e.g. https://exchange.example.com.");
        }
    }

    private void ValidateApiKey(List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            problems.Add(
                $"{nameof(ApiKey)} is not set. Set it to the secret CreateApiKey returned; "
                + "if it is lost, ask an operator for a new key.");
        }
        // The key goes into an HTTP header, so it must be visible ASCII. The message never repeats the key
        // itself, because exception messages end up in logs.
        else if (ApiKey.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            problems.Add(
                $"{nameof(ApiKey)} contains spaces, control or non-ASCII characters. Set the secret alone, "
                + "without a 'Bearer ' prefix, quotes or line breaks, and check that it was copied whole.");
        }
    }

    private void ValidateLimits(List<string> problems)
    {
        if (Deadline <= TimeSpan.Zero || Deadline > DeadlineMax)
        {
            problems.Add(
                $"{nameof(Deadline)} is {Deadline}; it must be more than zero and at most {DeadlineMax}. "
                + "It is the whole budget of one operation, retries included; the default is 10 seconds.");
        }

        if (MaxAttempts is < 1 or > MaxAttemptsMax)
        {
            problems.Add(
                $"{nameof(MaxAttempts)} is {MaxAttempts}; it must be 1 to {MaxAttemptsMax}. "
                + "It counts the first attempt, so 1 turns retries off; the default is 4.");
        }

        if (MaxBackoff <= TimeSpan.Zero || MaxBackoff > MaxBackoffMax)
        {
            problems.Add(
                $"{nameof(MaxBackoff)} is {MaxBackoff}; it must be more than zero and at most {MaxBackoffMax}. "
                + "The default is 2 seconds.");
        }

        if (InitialBackoff <= TimeSpan.Zero || InitialBackoff > MaxBackoff)
        {
            problems.Add(
                $"{nameof(InitialBackoff)} is {InitialBackoff}; it must be more than zero and at most "
                + $"{nameof(MaxBackoff)} ({MaxBackoff}). The default is 100 milliseconds.");
        }
    }
}
