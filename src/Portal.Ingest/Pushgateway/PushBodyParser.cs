using Google.Protobuf;
using Portal.Ingest.TextParse;
using Portal.Model;
using Client = Portal.Ingest.Protos.Client;

namespace Portal.Ingest.Pushgateway;

/// <summary>One pushed sample: its full label set (with <c>__name__</c>) and value.</summary>
public readonly record struct PushedSample(Labels Labels, double Value);

/// <summary>A pushed metric family: name, help, type and samples (for histograms and summaries, all their series).</summary>
public sealed record PushedFamily(string Name, string Help, MetricType Type, IReadOnlyList<PushedSample> Samples);

/// <summary>A body that cannot be pushed; answered with 400 and <see cref="Exception.Message"/>.</summary>
public sealed class PushRejectedException(string message) : Exception(message);

/// <summary>
/// Turns a Pushgateway request body into metric families: the Prometheus text format (through the exposition
/// parser) or length-delimited <c>io.prometheus.client.MetricFamily</c> protobuf messages. Grouping-key labels
/// replace the same labels in the body. Samples with timestamps are refused, as the Pushgateway does.
/// Stateless and thread-safe.
/// </summary>
public static class PushBodyParser
{
    public const string ProtoMediaType = "application/vnd.google.protobuf";

    /// <summary>True when the Content-Type names the delimited protobuf format; anything else is read as text.</summary>
    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.StartsWith(ProtoMediaType, StringComparison.OrdinalIgnoreCase)
        && contentType.Contains("io.prometheus.client.MetricFamily", StringComparison.Ordinal)
        && contentType.Contains("delimited", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a body. Throws <see cref="PushRejectedException"/> with the reason when it is malformed.</summary>
    public static List<PushedFamily> Parse(byte[] body, int length, bool protobuf, Labels groupingKey) =>
        protobuf ? ParseProto(body, length, groupingKey) : ParseText(body, length, groupingKey);

    private sealed class FamilyBuilder
    {
        public MetricType Type;
        public readonly List<PushedSample> Samples = new();
    }

    private static List<PushedFamily> ParseText(byte[] body, int length, Labels key)
    {
        var families = new Dictionary<string, FamilyBuilder>(StringComparer.Ordinal);
        var order = new List<string>();
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var parser = new PromTextParser(body, length);
        var builder = new LabelsBuilder();
        string? typedFamily = null;
        var typedType = MetricType.Unknown;
        try
        {
            for (var e = parser.Next(); e != Entry.Eof; e = parser.Next())
            {
                switch (e)
                {
                    case Entry.Type:
                        typedFamily = parser.FamilyName;
                        typedType = parser.CurrentType;
                        Family(typedFamily).Type = typedType;
                        break;
                    case Entry.Help:
                        helps[parser.FamilyName] = parser.HelpText();
                        break;
                    case Entry.Series:
                        if (parser.HasTimestamp)
                            throw new PushRejectedException($"pushed metrics must not have timestamps, but {parser.MetricName} has one (line {parser.Line})");
                        if (parser.HasDuplicateLabelNames(out var dup))
                            throw new PushRejectedException($"duplicate label name \"{dup}\" in {parser.MetricName} (line {parser.Line})");
                        var name = parser.MetricName;
                        var family = typedFamily is not null && BelongsTo(name, typedFamily, typedType) ? typedFamily : name;
                        parser.Labels(builder);
                        foreach (var l in key) builder.Set(l.Name, l.Value);
                        Family(family).Samples.Add(new PushedSample(builder.Build(), parser.Value));
                        break;
                }
            }
        }
        catch (ExpositionParseException ex)
        {
            throw new PushRejectedException($"text format parsing error in line {ex.Line}: {ex.Reason}");
        }
        var result = new List<PushedFamily>(families.Count);
        foreach (var name in order)
        {
            var f = families[name];
            if (f.Samples.Count > 0) result.Add(new PushedFamily(name, helps.GetValueOrDefault(name, ""), f.Type, f.Samples));
        }
        return result;

        FamilyBuilder Family(string name)
        {
            if (!families.TryGetValue(name, out var f))
            {
                families[name] = f = new FamilyBuilder();
                order.Add(name);
            }
            return f;
        }
    }

    private static bool BelongsTo(string metric, string family, MetricType type)
    {
        if (metric == family) return true;
        if (!metric.StartsWith(family, StringComparison.Ordinal)) return false;
        var suffix = metric.AsSpan(family.Length);
        return type switch
        {
            MetricType.Histogram or MetricType.GaugeHistogram => suffix is "_bucket" or "_sum" or "_count" or "_gsum" or "_gcount",
            MetricType.Summary => suffix is "_sum" or "_count",
            _ => false,
        };
    }

    private static List<PushedFamily> ParseProto(byte[] body, int length, Labels key)
    {
        var result = new List<PushedFamily>();
        var input = new CodedInputStream(body, 0, length);
        try
        {
            while (!input.IsAtEnd)
            {
                var mf = new Client.MetricFamily();
                input.ReadMessage(mf);
                if (string.IsNullOrEmpty(mf.Name)) throw new PushRejectedException("metric family without a name");
                result.Add(Convert(mf, key));
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PushRejectedException("cannot decode delimited protobuf MetricFamily: " + e.Message);
        }
        return result;
    }

    private static PushedFamily Convert(Client.MetricFamily mf, Labels key)
    {
        var samples = new List<PushedSample>();
        var b = new LabelsBuilder();
        var type = mf.Type switch
        {
            Client.MetricType.Counter => MetricType.Counter,
            Client.MetricType.Gauge => MetricType.Gauge,
            Client.MetricType.Summary => MetricType.Summary,
            Client.MetricType.Histogram => MetricType.Histogram,
            Client.MetricType.GaugeHistogram => MetricType.GaugeHistogram,
            _ => MetricType.Unknown,
        };
        foreach (var m in mf.Metric)
        {
            if (m.HasTimestampMs) throw new PushRejectedException($"pushed metrics must not have timestamps, but {mf.Name} has one");
            void Add(string name, double v, string? extraName = null, string? extraValue = null)
            {
                b.Reset(Labels.Empty);
                foreach (var lp in m.Label)
                {
                    if (b.Get(lp.Name).Length > 0) throw new PushRejectedException($"duplicate label name \"{lp.Name}\" in {mf.Name}");
                    b.Set(lp.Name, lp.Value);
                }
                if (extraName is not null) b.Set(extraName, extraValue!);
                foreach (var l in key) b.Set(l.Name, l.Value);
                b.Set(Labels.MetricName, name);
                samples.Add(new PushedSample(b.Build(), v));
            }
            switch (type)
            {
                case MetricType.Counter: Add(mf.Name, m.Counter?.Value ?? 0); break;
                case MetricType.Gauge: Add(mf.Name, m.Gauge?.Value ?? 0); break;
                case MetricType.Summary:
                    var s = m.Summary ?? new Client.Summary();
                    foreach (var q in s.Quantile) Add(mf.Name, q.Value, "quantile", GoFloat.FormatOpenMetrics(q.Quantile_));
                    Add(mf.Name + "_sum", s.SampleSum);
                    Add(mf.Name + "_count", s.SampleCount);
                    break;
                case MetricType.Histogram or MetricType.GaugeHistogram:
                    var h = m.Histogram ?? new Client.Histogram();
                    bool inf = false;
                    foreach (var bucket in h.Bucket)
                    {
                        if (double.IsPositiveInfinity(bucket.UpperBound)) inf = true;
                        Add(mf.Name + "_bucket", bucket.HasCumulativeCountFloat && bucket.CumulativeCountFloat > 0 ? bucket.CumulativeCountFloat : bucket.CumulativeCount,
                            "le", GoFloat.FormatOpenMetrics(bucket.UpperBound));
                    }
                    double count = h.HasSampleCountFloat && h.SampleCountFloat > 0 ? h.SampleCountFloat : h.SampleCount;
                    if (!inf) Add(mf.Name + "_bucket", count, "le", "+Inf");
                    Add(mf.Name + "_sum", h.SampleSum);
                    Add(mf.Name + "_count", count);
                    break;
                default: Add(mf.Name, m.Untyped?.Value ?? 0); break;
            }
        }
        return new PushedFamily(mf.Name, mf.Help ?? "", type, samples);
    }
}
