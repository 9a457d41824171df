namespace PartnerExchange.Cli.Input;

/// <summary>The command line or an input file is wrong in a way the parser could not see; nothing was sent.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
