using System.Text.RegularExpressions;
using Portal.Model;

namespace Portal.Web.Dashboards;

/// <summary>Series names as Grafana's Prometheus data source gives them.</summary>
public static partial class LegendFormat
{
    [GeneratedRegex(@"\{\{\s*(.+?)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>
    /// The name of a series: the legend format with each <c>{{label}}</c> replaced by the label's value (empty when the
    /// series lacks it); without a format (empty or <c>__auto</c>) <c>name{l="v", …}</c>, and the expression itself
    /// for a series without labels.
    /// </summary>
    public static string Name(string? format, Labels labels, string expr)
    {
        if (!string.IsNullOrEmpty(format) && format != "__auto")
            return Placeholder().Replace(format, m => labels.Get(m.Groups[1].Value));
        if (labels.Count == 0) return expr;
        return Portal.Web.Components.Shared.ChartSeries.SeriesName(labels);
    }
}
