namespace Portal.Web.Dashboards;

/// <summary>Builds what wwwroot/js/portal-dashboard.js draws from a panel's model and data.</summary>
public static class PanelPayloads
{
    /// <summary>Grafana's classic series palette.</summary>
    public static readonly IReadOnlyList<string> Palette =
    [
        "#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A6", "#705DA0", "#508642", "#CCA300",
        "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477", "#B7DBAB", "#F4D598", "#70DBED", "#F9BA8F",
    ];

    /// <summary>The colour of series <paramref name="index"/> named <paramref name="name"/>: a fixed override colour, else the palette's.</summary>
    public static string SeriesColor(PanelModel panel, string name, int index) =>
        panel.FixedColors.TryGetValue(name, out var c) ? UnitFormat.Css(c) : Palette[index % Palette.Count];

    /// <summary>
    /// A time series drawing. Series share step grids (one per query step: start, step, count) and their values travel
    /// as one binary array of doubles (<see cref="Charts.ChartPayload"/>), which keeps large dashboards small on the wire.
    /// </summary>
    public static object TimeSeries(PanelModel panel, PanelData data, IReadOnlySet<string> hidden)
    {
        var points = new List<(string, string, long[], double?[], long)>(data.Series.Count);
        for (int i = 0; i < data.Series.Count; i++)
        {
            var s = data.Series[i];
            points.Add((s.Name, SeriesColor(panel, s.Name, i), s.T, s.V, s.StepMs > 0 ? s.StepMs : Math.Max(1, data.StepMs)));
        }
        var chart = Charts.ChartData.FromPoints(points).ToPayload();
        return new
        {
            start = data.StartMs,
            end = data.EndMs,
            chart,
            unit = panel.Unit,
            decimals = panel.Decimals,
            min = panel.Min,
            max = panel.Max,
            drawStyle = panel.DrawStyle,
            stack = panel.StackMode,
            fillOpacity = panel.FillOpacity,
            lineWidth = panel.LineWidth,
            spanNulls = panel.SpanNulls,
            interpolation = panel.LineInterpolation,
            thresholds = panel.Thresholds.Select(t => new { value = t.Value, color = t.Color }),
            thresholdsStyle = panel.ThresholdsStyle,
            axisLabel = panel.AxisLabel,
            hidden,
        };
    }

    /// <summary>A gauge drawing: one gauge per series with the panel's reducer; a value mapping's text and colour when one matches (<paramref name="fields"/>, index-aligned with the series).</summary>
    public static object Gauge(PanelModel panel, PanelData data, IReadOnlyList<FieldConfig>? fields = null) => new
    {
        items = data.Series.Take(24).Select((s, i) =>
        {
            var value = s.Reduce(panel.ReduceCalc);
            var mapped = fields is not null && i < fields.Count ? fields[i].Mappings.Match(value) : null;
            return new { name = s.Name, value, text = mapped?.Text, color = mapped?.Color is { } c ? UnitFormat.Css(c) : null };
        }),
        min = panel.Min,
        max = panel.Max,
        unit = panel.Unit,
        decimals = panel.Decimals,
        thresholds = panel.Thresholds.Select(t => new { value = t.Value, color = t.Color }),
        showMarkers = GrafanaJson.Bool((panel.Json["options"] as System.Text.Json.Nodes.JsonObject)?["showThresholdMarkers"], true),
    };

    /// <summary>A stat's sparkline for one series.</summary>
    public static object Sparkline(PanelSeries s, long stepMs, string color)
    {
        long step = Math.Max(1, s.StepMs > 0 ? s.StepMs : stepMs);
        return new { t0 = s.T.Length > 0 ? s.T[0] : 0, step, v = Dense(s, step), color };
    }

    private static double?[] Dense(PanelSeries s, long stepMs)
    {
        if (s.T.Length == 0) return [];
        long step = Math.Max(1, stepMs);
        var v = new double?[(int)((s.T[^1] - s.T[0]) / step) + 1];
        for (int k = 0; k < s.T.Length; k++)
        {
            long idx = (s.T[k] - s.T[0]) / step;
            if (idx < v.Length) v[idx] = s.V[k];
        }
        return v;
    }
}
