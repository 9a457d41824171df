using System.ComponentModel.DataAnnotations;
using System.Net;

namespace PartnerExchange.Server.Metrics;

/// <summary>
/// Settings of the metrics endpoint (section <c>Metrics</c>; env <c>PX_METRICS_LISTEN</c> sets the address).
/// </summary>
public sealed class MetricsOptions : IValidatableObject
{
    /// <summary>
    /// Where Prometheus scrapes <c>GET /metrics</c> over HTTP/1.1, e.g. <c>http://0.0.0.0:9464</c>: a port of its
    /// own, apart from the gRPC port. Empty (the default): no endpoint, and no metrics are collected.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>The address and port to listen on; null when the endpoint is off.</summary>
    public IPEndPoint? EndPoint =>
        string.IsNullOrEmpty(Listen) ? null
        : Uri.TryCreate(Listen, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && IPAddress.TryParse(uri.Host, out var address)
            && uri.Port is > 0 and <= 65535 && uri.AbsolutePath == "/"
            ? new IPEndPoint(address, uri.Port)
            : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Listen) && EndPoint is null)
        {
            yield return new ValidationResult(
                "Metrics:Listen (PX_METRICS_LISTEN) must be http://IP:PORT, e.g. http://0.0.0.0:9464, or empty to turn metrics off.",
                [nameof(Listen)]);
        }
    }
}
