namespace PartnerExchange.Domain.Ledger;

/// <summary>
/// One line of a transaction: an amount moved into or out of an account. Signs are from the account
/// holder's point of view: positive credits (a member's balance goes up), negative debits.
/// </summary>
/// <param name="Account">The account the amount is posted to.</param>
/// <param name="AmountPoints">The signed amount: positive credit, negative debit; never zero.</param>
public readonly record struct PostingLine(AccountRef Account, long AmountPoints);
