using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Ledger;

/// <summary>
/// Which accounts each kind of transaction posts to, and how much. Every list these rules return sums
/// to zero per program (see <see cref="IsBalanced"/>), and no line has a zero amount. Amounts are
/// assumed already validated; a non-positive one is a programmer error and throws.
/// </summary>
public static class PostingRules
{
    /// <summary>An accrual: the program's issuance account −points, the member +points.</summary>
    public static IReadOnlyList<PostingLine> Accrual(string program, string member, long points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        return
        [
            new(AccountRef.System(program, AccountKind.Issuance), -points),
            new(AccountRef.Member(program, member), points),
        ];
    }

    /// <summary>A redemption: the member −points, the program's redemption account +points.</summary>
    public static IReadOnlyList<PostingLine> Redemption(string program, string member, long points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        return
        [
            new(AccountRef.Member(program, member), -points),
            new(AccountRef.System(program, AccountKind.Redemption), points),
        ];
    }

    /// <summary>
    /// An operator's adjustment: the member ±points (signed, never zero), the program's adjustment account the
    /// opposite.
    /// </summary>
    public static IReadOnlyList<PostingLine> Adjustment(string program, string member, long points)
    {
        if (points is 0 or long.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(points), points, "An adjustment moves a non-zero amount that can be negated.");
        }
        return
        [
            new(AccountRef.System(program, AccountKind.Adjustment), -points),
            new(AccountRef.Member(program, member), points),
        ];
    }

    /// <summary>An expiry: the member −points, the program's expiry account +points.</summary>
    public static IReadOnlyList<PostingLine> Expiry(string program, string member, long points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        return
        [
            new(AccountRef.Member(program, member), -points),
            new(AccountRef.System(program, AccountKind.Expiry), points),
        ];
    }

    /// <summary>
    /// A conversion, as two legs that each balance within their program. Source leg: the member
    /// −(source + fee), conversion-out +source, fees +fee. Destination leg: conversion-in −destination,
    /// the member +destination. Zero-amount lines (no fee, or nothing received) are left out.
    /// </summary>
    /// <exception cref="ArgumentException">The terms are inconsistent (debit ≠ source + fee, or a negative figure).</exception>
    public static IReadOnlyList<PostingLine> Conversion(
        string sourceProgram,
        string sourceMember,
        string destinationProgram,
        string destinationMember,
        ConversionTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.SourcePoints < 1 || terms.MemberFeePoints < 0 || terms.DestinationPoints < 0
            || (Int128)terms.SourcePoints + terms.MemberFeePoints != terms.MemberDebitPoints)
        {
            throw new ArgumentException("The conversion terms are inconsistent.", nameof(terms));
        }

        var lines = new List<PostingLine>(5)
        {
            new(AccountRef.Member(sourceProgram, sourceMember), -terms.MemberDebitPoints),
            new(AccountRef.System(sourceProgram, AccountKind.ConversionOut), terms.SourcePoints),
        };
        if (terms.MemberFeePoints > 0)
        {
            lines.Add(new(AccountRef.System(sourceProgram, AccountKind.Fees), terms.MemberFeePoints));
        }

        if (terms.DestinationPoints > 0)
        {
            lines.Add(new(AccountRef.System(destinationProgram, AccountKind.ConversionIn), -terms.DestinationPoints));
            lines.Add(new(AccountRef.Member(destinationProgram, destinationMember), terms.DestinationPoints));
        }

        return lines.AsReadOnly();
    }

    /// <summary>The reversal of a transaction: the same accounts, every amount negated.</summary>
    /// <exception cref="ArgumentException">A line holds <see cref="long.MinValue"/>, which has no negation.</exception>
    public static IReadOnlyList<PostingLine> Reversal(IReadOnlyList<PostingLine> original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var reversed = new PostingLine[original.Count];
        for (var i = 0; i < reversed.Length; i++)
        {
            var line = original[i];
            if (line.AmountPoints == long.MinValue)
            {
                throw new ArgumentException("A posting of long.MinValue cannot be reversed.", nameof(original));
            }

            reversed[i] = line with { AmountPoints = -line.AmountPoints };
        }

        return reversed.AsReadOnly();
    }

    /// <summary>True when the lines sum to zero within every program (summed without overflow).</summary>
    public static bool IsBalanced(IReadOnlyList<PostingLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var sumByProgram = new Dictionary<string, Int128>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            sumByProgram[line.Account.ProgramCode] = sumByProgram.GetValueOrDefault(line.Account.ProgramCode) + line.AmountPoints;
        }

        return sumByProgram.Values.All(sum => sum == Int128.Zero);
    }
}
