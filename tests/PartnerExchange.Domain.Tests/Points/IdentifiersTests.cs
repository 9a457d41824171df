using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Tests.Points;

public class IdentifiersTests
{
    private const string Field = "field";

    [Theory]
    [InlineData("M")]
    [InlineData("member-001")]
    [InlineData("a.b_c-D9")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void MemberNumber_Accepts_Valid(string value)
    {
        Assert.Null(Identifiers.MemberNumber(value, Field));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    [InlineData("has space")]
    [InlineData("slash/")]
    [InlineData("émile")]
    [InlineData("tab\t")]
    public void MemberNumber_Rejects_Invalid(string? value)
    {
        Assert.Equal(Field, Identifiers.MemberNumber(value, Field)?.Field);
    }

    [Theory]
    [InlineData("AB")]
    [InlineData("SKYMILES")]
    [InlineData("A1")]
    [InlineData("ABCDEFGHIJKLMNOP")]
    public void ProgramCode_Accepts_Valid(string value)
    {
        Assert.Null(Identifiers.ProgramCode(value, Field));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("1A")]
    [InlineData("ab")]
    [InlineData("A-B")]
    [InlineData("A_B")]
    [InlineData("ÄB")]
    public void ProgramCode_Rejects_Invalid(string? value)
    {
        Assert.Equal(Field, Identifiers.ProgramCode(value, Field)?.Field);
    }

    [Theory]
    [InlineData("k")]
    [InlineData("!")]
    [InlineData("~")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("order:42/retry#1")]
    [InlineData("has space")]
    [InlineData(" ")]
    public void IdempotencyKey_Accepts_Valid(string value)
    {
        Assert.Null(Identifiers.IdempotencyKey(value, Field));
    }

    [Fact]
    public void IdempotencyKey_Accepts_MaxLength()
    {
        Assert.Null(Identifiers.IdempotencyKey(new string('k', 255), Field));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tab\t")]
    [InlineData("line\n")]
    [InlineData("del\u007f")]
    [InlineData("nul\0")]
    [InlineData("é")]
    public void IdempotencyKey_Rejects_Invalid(string? value)
    {
        Assert.Equal(Field, Identifiers.IdempotencyKey(value, Field)?.Field);
    }

    [Fact]
    public void IdempotencyKey_Rejects_TooLong()
    {
        Assert.NotNull(Identifiers.IdempotencyKey(new string('k', 256), Field));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("order 42 — café")]
    public void Reference_Accepts_Valid(string? value)
    {
        Assert.Null(Identifiers.Reference(value, Field));
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("bell\a")]
    [InlineData("c1\u0085")]
    public void Reference_Rejects_ControlCharacters(string value)
    {
        Assert.Equal(Field, Identifiers.Reference(value, Field)?.Field);
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Reference_Length_IsLimitedTo128(int length, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Reference(new string('r', length), Field) is null);
    }

    [Theory]
    [InlineData(1, 10, true)]
    [InlineData(10, 10, true)]
    [InlineData(long.MaxValue, long.MaxValue, true)]
    [InlineData(0, 10, false)]
    [InlineData(-1, 10, false)]
    [InlineData(11, 10, false)]
    [InlineData(long.MinValue, 10, false)]
    public void Points_Range_IsOneToMax(long value, long maxPoints, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Points(value, Field, maxPoints) is null);
    }

    [Theory]
    [InlineData(1, 10, true)]
    [InlineData(-1, 10, true)]
    [InlineData(10, 10, true)]
    [InlineData(-10, 10, true)]
    [InlineData(long.MaxValue, long.MaxValue, true)]
    [InlineData(-long.MaxValue, long.MaxValue, true)]
    [InlineData(0, 10, false)]
    [InlineData(11, 10, false)]
    [InlineData(-11, 10, false)]
    [InlineData(long.MinValue, long.MaxValue, false)]
    public void SignedPoints_Range_IsMinusMaxToMaxWithoutZero(long value, long maxPoints, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.SignedPoints(value, Field, maxPoints) is null);
    }

    [Theory]
    [InlineData("goodwill: lost bag", true)]
    [InlineData("x", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("new\nline", false)]
    public void Reason_Accepts_TextAndRejects_BlankOrControlCharacters(string? value, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Reason(value, Field) is null);
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Reason_Length_IsLimitedTo128(int length, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Reason(new string('r', length), Field) is null);
    }

    [Theory]
    [InlineData("Sky Miles", true)]
    [InlineData("X", true)]
    [InlineData("Café Rewards ✈", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("new\nline", false)]
    public void Name_And_Label_ShareTheRules(string? value, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Name(value, Field) is null);
        Assert.Equal(accepted, Identifiers.Label(value, Field) is null);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(201, false)]
    public void Name_Length_IsLimitedTo200(int length, bool accepted)
    {
        Assert.Equal(accepted, Identifiers.Name(new string('n', length), Field) is null);
    }
}
