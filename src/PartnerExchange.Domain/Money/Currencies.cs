using System.Collections.Frozen;

namespace PartnerExchange.Domain.Money;

/// <summary>
/// The ISO 4217 currencies the network settles in, with the number of decimal places of each
/// currency's minor unit (USD 2: cents; JPY 0; KWD 3: fils). Codes are matched exactly: upper case only.
/// </summary>
public static class Currencies
{
    // Curated rather than taken from the runtime's culture data, which InvariantGlobalization removes
    // and which does not always agree with ISO 4217 on minor units.
    private static readonly FrozenDictionary<string, int> MinorUnitExponents = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["USD"] = 2, ["EUR"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["CAD"] = 2, ["AUD"] = 2, ["NZD"] = 2,
        ["SGD"] = 2, ["HKD"] = 2, ["CNY"] = 2, ["INR"] = 2, ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2,
        ["PLN"] = 2, ["CZK"] = 2, ["HUF"] = 2, ["MXN"] = 2, ["BRL"] = 2, ["ZAR"] = 2, ["AED"] = 2,
        ["SAR"] = 2, ["QAR"] = 2, ["IDR"] = 2, ["THB"] = 2, ["MYR"] = 2, ["PHP"] = 2, ["TRY"] = 2,
        ["ILS"] = 2, ["TWD"] = 2, ["COP"] = 2, ["PEN"] = 2, ["ARS"] = 2, ["EGP"] = 2, ["NGN"] = 2,
        ["KES"] = 2, ["RON"] = 2,
        ["JPY"] = 0, ["KRW"] = 0, ["ISK"] = 0, ["CLP"] = 0, ["VND"] = 0, ["PYG"] = 0, ["UGX"] = 0,
        ["XOF"] = 0, ["XAF"] = 0,
        ["KWD"] = 3, ["BHD"] = 3, ["OMR"] = 3, ["JOD"] = 3, ["TND"] = 3, ["LYD"] = 3, ["IQD"] = 3,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>All supported ISO 4217 codes.</summary>
    public static IReadOnlyCollection<string> Codes => MinorUnitExponents.Keys;

    /// <summary>Finds the minor-unit exponent of a supported currency (2 for USD: 1 USD = 10² cents).</summary>
    public static bool TryGetMinorUnitExponent(string? isoCode, out int exponent)
    {
        if (isoCode is not null && MinorUnitExponents.TryGetValue(isoCode, out exponent))
        {
            return true;
        }

        exponent = 0;
        return false;
    }

    /// <summary>True when <paramref name="isoCode"/> is a supported ISO 4217 code (exact, upper case).</summary>
    public static bool IsKnown(string? isoCode) => isoCode is not null && MinorUnitExponents.ContainsKey(isoCode);
}
