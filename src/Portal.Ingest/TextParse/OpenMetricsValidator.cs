using System.Text;
using Portal.Model;

namespace Portal.Ingest.TextParse;

/// <summary>
/// Checks the OpenMetrics 1.0 rules that span lines: metric family grouping and naming clashes, metadata
/// placement and repetition, per-type sample names, label and value constraints (counters, histograms, gauge
/// histograms, summaries, infos, statesets), exemplar placement, and timestamp order. Feed it every entry of an
/// <see cref="OpenMetricsParser"/> (created with <c>strict: true</c>) via <see cref="Observe"/>; it throws
/// <see cref="ExpositionParseException"/> at the offending line. Not thread-safe; one per payload.
/// </summary>
public sealed class OpenMetricsValidator
{
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closedGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool HasTs, long Ts)> _lastTs = new(StringComparer.Ordinal);

    private string? _family;
    private MetricType _type;
    private bool _hasType, _hasHelp, _hasUnit, _hasSamples;

    private string? _group;
    private Group _g;
    private int _groupLine;

    private struct Group
    {
        public bool AnyBucket, HasInf, Negative, HasCount, HasSum;
        public double LastLe, LastBucket, InfValue, Count, Sum;
    }

    /// <summary>Validates the entry the parser is on. Call with <see cref="Entry.Eof"/> last.</summary>
    public void Observe(ExpositionParser p, Entry e)
    {
        switch (e)
        {
            case Entry.Help:
            case Entry.Type:
            case Entry.Unit:
                Metadata(p, e);
                break;
            case Entry.Series:
                Sample(p);
                break;
            case Entry.Eof:
                EndGroup(p.Line);
                break;
        }
    }

    private static ExpositionParseException Error(int line, string reason) => new(line, 1, reason);

    private void Metadata(ExpositionParser p, Entry e)
    {
        var name = p.FamilyName;
        int line = p.Line;
        if (name != _family || _hasSamples)
        {
            if (name == _family) throw Error(line, $"metadata for \"{name}\" after its samples: HELP, TYPE and UNIT must come before the samples");
            StartFamily(name, line);
        }
        switch (e)
        {
            case Entry.Type:
                if (_hasType) throw Error(line, $"second TYPE line for \"{name}\"");
                _hasType = true;
                _type = p.CurrentType;
                if (_hasUnit && _type is MetricType.Info or MetricType.StateSet)
                    throw Error(line, $"{MetricTypes.Name(_type)} metric \"{name}\" cannot have a unit");
                foreach (var s in Suffixes(_type))
                {
                    if (s.Length == 0) continue;
                    if (_families.Contains(name + s)) throw Error(line, $"clashing names: {MetricTypes.Name(_type)} \"{name}\" would expose \"{name + s}\", an earlier family");
                    _reserved.Add(name + s);
                }
                break;
            case Entry.Help:
                if (_hasHelp) throw Error(line, $"second HELP line for \"{name}\"");
                _hasHelp = true;
                break;
            case Entry.Unit:
                if (_hasUnit) throw Error(line, $"second UNIT line for \"{name}\"");
                _hasUnit = true;
                if (_hasType && _type is MetricType.Info or MetricType.StateSet)
                    throw Error(line, $"{MetricTypes.Name(_type)} metric \"{name}\" cannot have a unit");
                break;
        }
    }

    private void StartFamily(string name, int line)
    {
        EndGroup(line);
        if (_families.Contains(name)) throw Error(line, $"clashing names: metric family \"{name}\" appears twice (families must not be interleaved)");
        if (_reserved.Contains(name)) throw Error(line, $"clashing names: \"{name}\" is a sample name of an earlier metric family");
        _families.Add(name);
        _family = name;
        _type = MetricType.Unknown;
        _hasType = _hasHelp = _hasUnit = _hasSamples = false;
        _closedGroups.Clear();
    }

    private static string[] Suffixes(MetricType t) => t switch
    {
        MetricType.Counter => ["_total", "_created"],
        MetricType.Histogram => ["_bucket", "_count", "_sum", "_created"],
        MetricType.GaugeHistogram => ["_bucket", "_gcount", "_gsum"],
        MetricType.Summary => ["", "_count", "_sum", "_created"],
        MetricType.Info => ["_info"],
        _ => [""],
    };

    private void Sample(ExpositionParser p)
    {
        int line = p.Line;
        var name = p.MetricName;
        string? suffix = null;
        if (_family is not null)
            foreach (var s in Suffixes(_type))
                if (name.Length == _family.Length + s.Length && name.StartsWith(_family, StringComparison.Ordinal) && name.EndsWith(s, StringComparison.Ordinal))
                    suffix = s;
        if (suffix is null)
        {
            StartFamily(name, line);
            suffix = "";
        }
        _hasSamples = true;
        if (p.HasDuplicateLabelNames(out var dup)) throw Error(line, $"duplicate label name \"{dup}\"");

        // Group (MetricPoint) key: labels without le/quantile.
        var sb = new StringBuilder();
        var all = new StringBuilder(name).Append('{');
        string? le = null, quantile = null, stateLabel = null;
        var labels = new List<(string, string)>();
        for (int i = 0; i < p.LabelCount; i++)
        {
            var ln = p.LabelName(i);
            var lv = Strings(p, i);
            if (ln == "le" && _type is MetricType.Histogram or MetricType.GaugeHistogram) { le = lv; continue; }
            if (ln == "quantile" && _type == MetricType.Summary) { quantile = lv; continue; }
            if (_type == MetricType.StateSet && ln == _family) stateLabel = lv;
            labels.Add((ln, lv));
        }
        labels.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        foreach (var (n, lv) in labels) sb.Append(n).Append('\0').Append(lv).Append('\0');
        var key = sb.ToString();
        all.Append(key).Append(le).Append('\0').Append(quantile).Append(stateLabel);
        if (key != _group || _group is null)
        {
            EndGroup(line);
            if (!_closedGroups.Add(key)) throw Error(line, $"samples of one metric of \"{_family}\" are interleaved with another's");
            _group = key;
            _g = default;
            _groupLine = line;
        }

        // Timestamps never go backwards within a series, and a series either always or never has them.
        var seriesKey = all.ToString();
        if (_lastTs.TryGetValue(seriesKey, out var prev))
        {
            if (prev.HasTs != p.HasTimestamp) throw Error(line, "a series mixes samples with and without timestamps");
            if (p.HasTimestamp && p.Timestamp < prev.Ts) throw Error(line, "timestamps of a series go backwards");
        }
        _lastTs[seriesKey] = (p.HasTimestamp, p.Timestamp);

        if (p.HasExemplar)
        {
            bool ok = (_type == MetricType.Counter && suffix == "_total") ||
                      (_type is MetricType.Histogram or MetricType.GaugeHistogram && suffix == "_bucket");
            if (!ok) throw Error(line, $"exemplars are only allowed on counter totals and histogram buckets, not on \"{name}\"");
        }

        double v = p.Value;
        switch (_type)
        {
            case MetricType.Counter:
                if (suffix == "_total") NonNegative(line, v, "counter total");
                break;
            case MetricType.Histogram:
            case MetricType.GaugeHistogram:
                Histogram(line, suffix, le, v);
                break;
            case MetricType.Summary:
                if (suffix == "")
                {
                    if (quantile is null) throw Error(line, $"summary sample \"{name}\" needs a quantile label");
                    if (!GoFloat.TryParse(Encoding.UTF8.GetBytes(quantile), out var q) || double.IsNaN(q) || q < 0 || q > 1)
                        throw Error(line, $"quantile \"{quantile}\" must be a number between 0 and 1");
                    if (v < 0) throw Error(line, "summary quantile values must not be negative");
                }
                else NonNegative(line, v, $"summary {suffix[1..]}");
                break;
            case MetricType.Info:
                if (v != 1) throw Error(line, "info metric values must be 1");
                break;
            case MetricType.StateSet:
                if (stateLabel is null) throw Error(line, $"stateset sample needs a label named \"{_family}\"");
                if (v is not (0 or 1)) throw Error(line, "stateset values must be 0 or 1");
                break;
        }
    }

    private static string Strings(ExpositionParser p, int i) => p.LabelValueAsWritten(i);

    private static void NonNegative(int line, double v, string what)
    {
        if (double.IsNaN(v)) throw Error(line, $"{what} must not be NaN");
        if (v < 0) throw Error(line, $"{what} must not be negative");
    }

    private void Histogram(int line, string suffix, string? le, double v)
    {
        bool gauge = _type == MetricType.GaugeHistogram;
        switch (suffix)
        {
            case "_bucket":
                if (le is null) throw Error(line, "histogram bucket needs an le label");
                if (!GoFloat.TryParse(Encoding.UTF8.GetBytes(le), out var bound) || double.IsNaN(bound))
                    throw Error(line, $"le \"{le}\" is not a valid bucket bound");
                if (double.IsPositiveInfinity(bound) && le != "+Inf") throw Error(line, $"the +Inf bucket must be written le=\"+Inf\", not \"{le}\"");
                NonNegative(line, v, "bucket value");
                if (_g.HasInf) throw Error(line, "buckets after the +Inf bucket");
                if (_g.AnyBucket && bound <= _g.LastLe) throw Error(line, "histogram buckets must be in increasing le order");
                if (_g.AnyBucket && v < _g.LastBucket) throw Error(line, "histogram bucket values must not decrease (buckets are cumulative)");
                if (_g.HasCount || _g.HasSum) throw Error(line, "buckets must come before count and sum");
                _g.AnyBucket = true;
                _g.LastLe = bound;
                _g.LastBucket = v;
                if (bound < 0) _g.Negative = true;
                if (double.IsPositiveInfinity(bound))
                {
                    _g.HasInf = true;
                    _g.InfValue = v;
                }
                break;
            case "_count":
            case "_gcount":
                NonNegative(line, v, gauge ? "gcount" : "count");
                _g.HasCount = true;
                _g.Count = v;
                break;
            case "_sum":
                NonNegative(line, v, "sum");
                _g.HasSum = true;
                _g.Sum = v;
                break;
            case "_gsum":
                if (double.IsNaN(v)) throw Error(line, "gsum must not be NaN");
                if (v < 0 && !_g.Negative) throw Error(line, "gsum may only be negative when there are negative buckets");
                _g.HasSum = true;
                _g.Sum = v;
                break;
        }
    }

    private void EndGroup(int line)
    {
        if (_group is null) return;
        _group = null;
        if (_type is not (MetricType.Histogram or MetricType.GaugeHistogram)) return;
        int at = _groupLine;
        if (!_g.HasInf) throw Error(at, $"histogram \"{_family}\" has no +Inf bucket");
        if (_g.HasCount != _g.HasSum) throw Error(at, $"histogram \"{_family}\" must have both count and sum, or neither");
        if (_g.HasCount && _g.Count != _g.InfValue) throw Error(at, $"histogram \"{_family}\" count ({GoFloat.Format(_g.Count)}) differs from its +Inf bucket ({GoFloat.Format(_g.InfValue)})");
        if (_type == MetricType.Histogram && _g.Negative && _g.HasSum) throw Error(at, $"histogram \"{_family}\" has negative buckets, so it must not have a sum");
    }
}
