namespace PartnerExchange.Domain.Tests;

public class OutcomeTests
{
    private static readonly Refusal Refused = Refusal.Of(ErrorReason.InsufficientPoints, "no");

    [Fact]
    public void ImplicitValue_IsSuccess()
    {
        Outcome<long> outcome = 42L;

        Assert.True(outcome.IsSuccess);
        Assert.Equal(42L, outcome.Value);
        Assert.Throws<InvalidOperationException>(() => outcome.Refusal);
    }

    [Fact]
    public void ImplicitRefusal_IsNotSuccess()
    {
        Outcome<long> outcome = Refused;

        Assert.False(outcome.IsSuccess);
        Assert.Same(Refused, outcome.Refusal);
        Assert.Throws<InvalidOperationException>(() => outcome.Value);
    }

    [Fact]
    public void ImplicitRefusal_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => { Outcome<long> outcome = (Refusal)null!; return outcome; });
    }

    [Fact]
    public void Default_IsNeitherSuccessNorRefusal()
    {
        var outcome = default(Outcome<long>);

        Assert.False(outcome.IsSuccess);
        Assert.Throws<InvalidOperationException>(() => outcome.Value);
        Assert.Throws<InvalidOperationException>(() => outcome.Refusal);
    }

    [Fact]
    public void Then_Success_RunsNext()
    {
        Outcome<long> outcome = 2L;

        var next = outcome.Then<string>(v => $"v{v}");

        Assert.Equal("v2", next.Value);
    }

    [Fact]
    public void Then_Refused_PassesRefusalWithoutRunningNext()
    {
        Outcome<long> outcome = Refused;
        var ran = false;

        var next = outcome.Then<string>(v => { ran = true; return "x"; });

        Assert.False(ran);
        Assert.Same(Refused, next.Refusal);
    }

    [Fact]
    public void Map_Refused_PassesRefusal()
    {
        Outcome<long> outcome = Refused;

        Assert.Same(Refused, outcome.Map(v => v + 1).Refusal);
    }

    [Fact]
    public void TryGetValue_ReturnsEitherSide()
    {
        Outcome<long> success = 7L;
        Outcome<long> refused = Refused;

        Assert.True(success.TryGetValue(out var value, out var noRefusal));
        Assert.Equal(7L, value);
        Assert.Null(noRefusal);
        Assert.False(refused.TryGetValue(out _, out var refusal));
        Assert.Same(Refused, refusal);
    }
}
