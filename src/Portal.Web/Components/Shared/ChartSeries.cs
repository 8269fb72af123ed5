using Portal.Model;

namespace Portal.Web.Components.Shared;

/// <summary>Naming, colours and gap rules shared by Explore's graph and dashboard panels.</summary>
public static class ChartSeries
{
    /// <summary>ECharts' default palette, so legend swatches match the lines.</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];

    /// <summary>How Prometheus's UI names a series: <c>name{label="value", …}</c>, the name alone without labels, <c>{}</c> when empty.</summary>
    public static string SeriesName(Labels labels)
    {
        var name = labels.MetricNameValue;
        if (name.Length == 0) return labels.ToString();
        var rest = labels.Without(Labels.MetricName);
        return rest.Count == 0 ? name : name + rest.ToString();
    }

    /// <summary>
    /// A range result's points as times and values, with a null inserted wherever consecutive samples are more than one
    /// <paramref name="stepMs"/> apart (so a chart breaks the line there); non-finite values become null.
    /// </summary>
    public static (long[] T, double?[] V) WithGaps(Sample[] samples, long stepMs)
    {
        var t = new List<long>(samples.Length + 4);
        var v = new List<double?>(samples.Length + 4);
        for (int i = 0; i < samples.Length; i++)
        {
            if (i > 0 && samples[i].T - samples[i - 1].T > stepMs)
            {
                t.Add(samples[i - 1].T + stepMs);
                v.Add(null);
            }
            double f = samples[i].V;
            t.Add(samples[i].T);
            v.Add(double.IsFinite(f) ? f : null);
        }
        return (t.ToArray(), v.ToArray());
    }
}
