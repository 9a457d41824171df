using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Tests.Points;

public class PointsMathTests
{
    [Theory]
    [InlineData(1, 2, 3)]
    [InlineData(long.MaxValue - 1, 1, long.MaxValue)]
    [InlineData(long.MinValue + 1, -1, long.MinValue)]
    [InlineData(long.MaxValue, long.MinValue, -1)]
    public void Add_InRange_ReturnsSum(long a, long b, long expected)
    {
        Assert.Equal(expected, PointsMath.Add(a, b).Value);
    }

    [Theory]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, -1)]
    public void Add_Overflow_RefusesWithBalanceOverflow(long a, long b)
    {
        Assert.Equal(ErrorReason.BalanceOverflow, PointsMath.Add(a, b).Refusal.Reason);
    }

    [Theory]
    [InlineData(0, 5, -5)]
    [InlineData(long.MinValue + 1, 1, long.MinValue)]
    public void Subtract_InRange_ReturnsDifference(long a, long b, long expected)
    {
        Assert.Equal(expected, PointsMath.Subtract(a, b).Value);
    }

    [Theory]
    [InlineData(long.MinValue, 1)]
    [InlineData(0, long.MinValue)]
    public void Subtract_Overflow_RefusesWithBalanceOverflow(long a, long b)
    {
        Assert.Equal(ErrorReason.BalanceOverflow, PointsMath.Subtract(a, b).Refusal.Reason);
    }

    [Theory]
    [InlineData(3, 4, 12)]
    [InlineData(long.MaxValue, 1, long.MaxValue)]
    [InlineData(long.MaxValue, -1, -long.MaxValue)]
    [InlineData(4_611_686_018_427_387_904, -2, long.MinValue)]
    public void Multiply_InRange_ReturnsProduct(long a, long b, long expected)
    {
        Assert.Equal(expected, PointsMath.Multiply(a, b).Value);
    }

    [Theory]
    [InlineData(long.MaxValue, 2)]
    [InlineData(4_611_686_018_427_387_904, 2)]
    [InlineData(long.MinValue, -1)]
    public void Multiply_Overflow_RefusesWithBalanceOverflow(long a, long b)
    {
        Assert.Equal(ErrorReason.BalanceOverflow, PointsMath.Multiply(a, b).Refusal.Reason);
    }

    [Theory]
    [InlineData(7, 1, 2, 3)]
    [InlineData(-7, 1, 2, -4)]
    [InlineData(-8, 1, 2, -4)]
    [InlineData(long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue)]
    [InlineData(long.MaxValue, 3, 4, 6_917_529_027_641_081_855)]
    public void MulDivFloor_InRange_RoundsTowardsNegativeInfinity(long a, long b, long c, long expected)
    {
        Assert.Equal(expected, PointsMath.MulDivFloor(a, b, c).Value);
    }

    [Fact]
    public void MulDivFloor_ResultBeyondLong_RefusesWithBalanceOverflow()
    {
        Assert.Equal(ErrorReason.BalanceOverflow, PointsMath.MulDivFloor(long.MaxValue, 2, 1).Refusal.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void MulDivFloor_NonPositiveDivisor_Throws(long c)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PointsMath.MulDivFloor(1, 1, c));
    }
}
