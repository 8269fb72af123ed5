using System.Globalization;
using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

/// <summary>One series during evaluation: labels, whether __name__ is to be dropped at the end, and points in time order.</summary>
internal sealed class EvalSeries(Labels metric, bool dropName, List<Sample> points)
{
    public Labels Metric = metric;
    public bool DropName = dropName;
    public List<Sample> Points = points;
}

/// <summary>An element of an instant vector at one step.</summary>
internal struct StepSample(Labels metric, double f, bool dropName)
{
    public Labels Metric = metric;
    public double F = f;
    public bool DropName = dropName;
    /// <summary>The sample's own timestamp where it matters (timestamp() over a selector); else the step time.</summary>
    public long T;
}

/// <summary>The evaluated value of a node: a list of series (vectors and scalars) or a string.</summary>
internal sealed class EvalValue
{
    public List<EvalSeries>? Series;
    public string? Str;
    /// <summary>True when the series list is a scalar (one unlabelled series with a point at every step).</summary>
    public bool IsScalar;
}

/// <summary>Annotations collected during one query, deduplicated and kept in first-seen order. Not thread-safe.</summary>
internal sealed class Annotations(string query)
{
    private readonly List<string> _warnings = new();
    private readonly List<string> _infos = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Warnings => _warnings;
    public IReadOnlyList<string> Infos => _infos;

    public void Warn(string message, PositionRange pos) => Add(_warnings, "PromQL warning: " + message, pos);
    public void Info(string message, PositionRange pos) => Add(_infos, "PromQL info: " + message, pos);

    private void Add(List<string> list, string text, PositionRange pos)
    {
        string full = text + " (" + Position(pos.Start) + ")";
        if (_seen.Add(full)) list.Add(full);
    }

    private string Position(int offset)
    {
        if (offset < 0 || offset > query.Length) return "0:0";
        int line = 1, lastBreak = -1;
        for (int i = 0; i < offset; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                lastBreak = i;
            }
        }
        return line.ToString(CultureInfo.InvariantCulture) + ":" + (offset - lastBreak).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Float formatting as Go prints it in Prometheus's messages and labels.</summary>
internal static class GoFloat
{
    /// <summary>strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent.</summary>
    public static string FormatF(double f)
    {
        if (double.IsNaN(f)) return "NaN";
        if (double.IsPositiveInfinity(f)) return "+Inf";
        if (double.IsNegativeInfinity(f)) return "-Inf";
        string r = f.ToString("R", CultureInfo.InvariantCulture);
        if (!r.Contains('E')) return r;
        return decimal.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && (double)d == f
            ? d.ToString(CultureInfo.InvariantCulture)
            : f.ToString("F0", CultureInfo.InvariantCulture);
    }

    /// <summary>fmt's %g / strconv 'g' with shortest precision: exponent form for exp &lt; -4 or exp &gt;= 21.</summary>
    public static string FormatG(double f)
    {
        if (double.IsNaN(f)) return "NaN";
        if (double.IsPositiveInfinity(f)) return "+Inf";
        if (double.IsNegativeInfinity(f)) return "-Inf";
        string r = f.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0) return r;
        string mant = r[..e];
        string exp = r[(e + 1)..];
        char sign = exp[0] == '-' ? '-' : '+';
        exp = exp.TrimStart('+', '-');
        if (exp.Length < 2) exp = "0" + exp;
        return mant + "e" + sign + exp;
    }
}
