namespace PartnerExchange.Domain;

/// <summary>One invalid request field, sent as a <c>google.rpc.BadRequest.FieldViolation</c>.</summary>
/// <param name="Field">The field path in the API's snake_case, e.g. <c>max_source_points</c>.</param>
/// <param name="Description">What is wrong and what a valid value looks like.</param>
public sealed record FieldViolation(string Field, string Description);
