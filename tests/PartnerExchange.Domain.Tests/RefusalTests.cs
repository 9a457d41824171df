namespace PartnerExchange.Domain.Tests;

public class RefusalTests
{
    [Fact]
    public void Of_WithoutMetadata_HasEmptyMetadataAndViolations()
    {
        var refusal = Refusal.Of(ErrorReason.MemberNotFound, "m");

        Assert.Equal(ErrorReason.MemberNotFound, refusal.Reason);
        Assert.Empty(refusal.Metadata);
        Assert.Empty(refusal.Violations);
    }

    [Fact]
    public void Of_WithMetadata_KeepsEveryEntry()
    {
        var refusal = Refusal.Of(ErrorReason.BelowMinimum, "m", ("minimum_points", "1000"), ("rate", "A-B"));

        Assert.Equal(2, refusal.Metadata.Count);
        Assert.Equal("1000", refusal.Metadata["minimum_points"]);
        Assert.Equal("A-B", refusal.Metadata["rate"]);
    }

    [Fact]
    public void Of_DuplicateMetadataKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => Refusal.Of(ErrorReason.BelowMinimum, "m", ("k", "1"), ("k", "2")));
    }

    [Fact]
    public void Invalid_ListsViolationsWithValidationFailed()
    {
        var violations = new List<FieldViolation> { new("points", "bad") };

        var refusal = Refusal.Invalid(violations);
        violations.Add(new("member_number", "later"));

        Assert.Equal(ErrorReason.ValidationFailed, refusal.Reason);
        Assert.Equal(Refusal.InvalidFieldsMessage, refusal.Message);
        Assert.Equal("points", Assert.Single(refusal.Violations).Field);
    }

    [Fact]
    public void Invalid_NoViolations_Throws()
    {
        Assert.Throws<ArgumentException>(() => Refusal.Invalid([]));
    }
}
