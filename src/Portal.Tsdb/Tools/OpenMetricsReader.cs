using System.Globalization;
using Portal.Model;

namespace Portal.Tsdb.Tools;

/// <summary>One sample read from OpenMetrics text: labels (with __name__), millisecond timestamp, value.</summary>
public readonly record struct ParsedSample(Labels Labels, long T, double V);

/// <summary>
/// Reads the subset of OpenMetrics text that <c>promtool tsdb create-blocks-from openmetrics</c> accepts:
/// <c># TYPE</c>/<c># HELP</c>/<c># UNIT</c> comments, sample lines with a timestamp (seconds, may be
/// fractional), and the mandatory <c># EOF</c>. Throws <see cref="FormatException"/> naming the line on errors.
/// </summary>
public static class OpenMetricsReader
{
    public static IEnumerable<ParsedSample> Read(TextReader reader)
    {
        string? line;
        int lineNo = 0;
        bool eof = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (eof) throw new FormatException($"line {lineNo}: data after # EOF");
            if (line.StartsWith('#'))
            {
                if (line == "# EOF") { eof = true; continue; }
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal) || line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# UNIT ", StringComparison.Ordinal))
                    continue;
                throw new FormatException($"line {lineNo}: invalid comment or metadata line");
            }
            if (line.Length == 0) throw new FormatException($"line {lineNo}: empty line");
            yield return ParseSample(line, lineNo);
        }
        if (!eof) throw new FormatException("data does not end with # EOF");
    }

    private static ParsedSample ParseSample(string line, int lineNo)
    {
        int i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        string name = line[..i];
        var b = new LabelsBuilder();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (i < line.Length && line[i] != '}')
            {
                string ln;
                if (line[i] == '"') ln = QuotedAt(line, ref i, lineNo);
                else
                {
                    int s = i;
                    while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                    ln = line[s..i];
                }
                if (i >= line.Length || line[i] != '=') throw new FormatException($"line {lineNo}: expected '=' after label name");
                i++;
                string lv = QuotedAt(line, ref i, lineNo);
                if (ln.Length == 0) throw new FormatException($"line {lineNo}: empty label name");
                if (b.Get(ln).Length > 0) throw new FormatException($"line {lineNo}: duplicate label name {ln}");
                if (name.Length == 0 && ln == Labels.MetricName) name = lv;
                else b.Set(ln, lv);
                if (i < line.Length && line[i] == ',') i++;
            }
            if (i >= line.Length) throw new FormatException($"line {lineNo}: unterminated label set");
            i++;
        }
        if (name.Length == 0) throw new FormatException($"line {lineNo}: missing metric name");
        b.Set(Labels.MetricName, name);
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"line {lineNo}: expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length < 2) throw new FormatException($"line {lineNo}: expected a timestamp (backfilling needs one per sample)");
        if (rest.Length > 2 && rest[2] != "#") throw new FormatException($"line {lineNo}: unexpected trailing data");
        double v = ParseFloat(rest[0], lineNo);
        if (!double.TryParse(rest[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double ts) || double.IsNaN(ts) || double.IsInfinity(ts))
            throw new FormatException($"line {lineNo}: invalid timestamp {rest[1]}");
        long t = (long)Math.Round(ts * 1000, MidpointRounding.AwayFromZero);
        return new ParsedSample(b.Build(), t, v);
    }

    private static double ParseFloat(string s, int lineNo) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"line {lineNo}: invalid value {s}"),
    };

    private static string QuotedAt(string line, ref int i, int lineNo)
    {
        try { return SelectorParser.Quoted(line, ref i); }
        catch (FormatException e) { throw new FormatException($"line {lineNo}: {e.Message}", e); }
    }
}
