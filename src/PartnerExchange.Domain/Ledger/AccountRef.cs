namespace PartnerExchange.Domain.Ledger;

/// <summary>
/// Names a ledger account: a member's account in a program, or one of the program's system accounts.
/// <see cref="MemberNumber"/> is set exactly for <see cref="AccountKind.Member"/> accounts.
/// </summary>
/// <param name="ProgramCode">The program the account belongs to.</param>
/// <param name="Kind">What the account is for.</param>
/// <param name="MemberNumber">The member, for member accounts; null for system accounts.</param>
public readonly record struct AccountRef(string ProgramCode, AccountKind Kind, string? MemberNumber)
{
    /// <summary>The member, for member accounts; null for system accounts.</summary>
    /// <exception cref="ArgumentException">A member account without a member, or a system account with one.</exception>
    public string? MemberNumber { get; init; } = (Kind == AccountKind.Member) == (MemberNumber is not null)
        ? MemberNumber
        : throw new ArgumentException("A member number is required for member accounts and forbidden for system accounts.", nameof(MemberNumber));

    /// <summary>True for a member's account, whose balance may never go below zero.</summary>
    public bool IsMember => Kind == AccountKind.Member;

    /// <summary>The account of <paramref name="memberNumber"/> in <paramref name="programCode"/>.</summary>
    public static AccountRef Member(string programCode, string memberNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(programCode);
        ArgumentException.ThrowIfNullOrEmpty(memberNumber);
        return new(programCode, AccountKind.Member, memberNumber);
    }

    /// <summary>The system account of <paramref name="kind"/> in <paramref name="programCode"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is <see cref="AccountKind.Member"/>.</exception>
    public static AccountRef System(string programCode, AccountKind kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(programCode);
        if (kind == AccountKind.Member)
        {
            throw new ArgumentException("Use AccountRef.Member for member accounts.", nameof(kind));
        }

        return new(programCode, kind, null);
    }

    /// <inheritdoc />
    public override string ToString() => MemberNumber is null ? $"{ProgramCode}/{Kind}" : $"{ProgramCode}/member/{MemberNumber}";
}
