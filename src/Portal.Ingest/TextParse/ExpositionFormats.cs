namespace Portal.Ingest.TextParse;

/// <summary>The exposition formats a scrape can negotiate, with Prometheus's protocol names.</summary>
public enum ExpositionFormat : byte
{
    PrometheusText,
    OpenMetrics,
    /// <summary>Prometheus's protobuf format; recognised but not parsed here.</summary>
    PrometheusProto,
}

/// <summary>Content negotiation as Prometheus 3 does it: the Accept header for scrape protocols and the parser for a Content-Type.</summary>
public static class ExpositionFormats
{
    public const string PrometheusProto = "PrometheusProto";
    public const string PrometheusText004 = "PrometheusText0.0.4";
    public const string PrometheusText100 = "PrometheusText1.0.0";
    public const string OpenMetricsText001 = "OpenMetricsText0.0.1";
    public const string OpenMetricsText100 = "OpenMetricsText1.0.0";

    /// <summary>Prometheus 3's default order.</summary>
    public static readonly string[] DefaultProtocols = [OpenMetricsText100, OpenMetricsText001, PrometheusText100, PrometheusText004];

    private static readonly string[] KnownProtocols = [PrometheusProto, PrometheusText004, PrometheusText100, OpenMetricsText001, OpenMetricsText100];

    /// <summary>The media type (with version) Prometheus sends for a protocol name.</summary>
    public static string? MediaType(string protocol) => protocol switch
    {
        PrometheusProto => "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
        PrometheusText004 => "text/plain;version=0.0.4",
        PrometheusText100 => "text/plain;version=1.0.0",
        OpenMetricsText001 => "application/openmetrics-text;version=0.0.1",
        OpenMetricsText100 => "application/openmetrics-text;version=1.0.0",
        _ => null,
    };

    /// <summary>
    /// The Accept header Prometheus builds from <paramref name="protocols"/>: each media type with a falling q weight
    /// (escaping added to the 1.0.0 text formats), then <c>*/*</c>. The protobuf format is left out because Portal
    /// does not parse it.
    /// </summary>
    public static string AcceptHeader(IReadOnlyList<string>? protocols, string escapingScheme = "allow-utf-8")
    {
        protocols ??= DefaultProtocols;
        var parts = new List<string>();
        int weight = KnownProtocols.Length + 1;
        foreach (var p in protocols)
        {
            var mt = MediaType(p);
            if (mt is null || p == PrometheusProto) continue;
            if (p is PrometheusText100 or OpenMetricsText100) mt += ";escaping=" + escapingScheme;
            parts.Add($"{mt};q=0.{weight}");
            weight--;
        }
        parts.Add($"*/*;q=0.{weight}");
        return string.Join(",", parts);
    }

    /// <summary>
    /// The format of a response's Content-Type. Unknown or missing types use <paramref name="fallbackProtocol"/>;
    /// with none, the result is null and <paramref name="error"/> says why (Prometheus 3 fails such scrapes).
    /// </summary>
    public static ExpositionFormat? ForContentType(string? contentType, string? fallbackProtocol, out string? error)
    {
        error = null;
        // Compared as a span: this runs once per scrape and allocates nothing.
        var mediaType = contentType.AsSpan();
        int semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0) mediaType = mediaType[..semicolon];
        mediaType = mediaType.Trim();
        if (mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)) return ExpositionFormat.OpenMetrics;
        if (mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)) return ExpositionFormat.PrometheusText;
        if (mediaType.Equals("application/vnd.google.protobuf", StringComparison.OrdinalIgnoreCase)) return ExpositionFormat.PrometheusProto;
        if (!string.IsNullOrEmpty(fallbackProtocol))
            return fallbackProtocol is OpenMetricsText001 or OpenMetricsText100 ? ExpositionFormat.OpenMetrics
                : fallbackProtocol == PrometheusProto ? ExpositionFormat.PrometheusProto : ExpositionFormat.PrometheusText;
        error = string.IsNullOrEmpty(contentType)
            ? "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target"
            : $"received unsupported Content-Type \"{contentType}\" and no fallback_scrape_protocol specified for target";
        return null;
    }

    /// <summary>A parser for <paramref name="format"/> over the first <paramref name="length"/> bytes of <paramref name="data"/>.</summary>
    public static ExpositionParser CreateParser(ExpositionFormat format, byte[] data, int length, StringInterner? strings = null) => format switch
    {
        ExpositionFormat.OpenMetrics => new OpenMetricsParser(data, length, strings),
        ExpositionFormat.PrometheusText => new PromTextParser(data, length, strings),
        _ => throw new NotSupportedException("the Prometheus protobuf exposition format is not supported; configure scrape_protocols with a text format"),
    };
}
