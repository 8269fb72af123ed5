using MatchType = Portal.Model.MatchType;
using System.Text;
using Portal.Model;

namespace Portal.Tsdb.Tools;

/// <summary>Prints samples the way <c>promtool tsdb dump</c> does: <c>{labels} value timestamp</c> per line.</summary>
public static class DumpTool
{
    /// <summary>Dumps every sample in [mint, maxt] of series matching <paramref name="matchers"/> (all series when empty).</summary>
    public static string Dump(Portal.Model.IQueryable db, long mint, long maxt, Matcher[] matchers)
    {
        var sw = new StringWriter();
        Dump(db, mint, maxt, matchers, sw);
        return sw.ToString();
    }

    public static void Dump(Portal.Model.IQueryable db, long mint, long maxt, Matcher[] matchers, TextWriter output)
    {
        if (matchers.Length == 0) matchers = [new Matcher(MatchType.Regex, Labels.MetricName, ".*")];
        using var q = db.Querier(mint, maxt);
        var set = q.Select(true, null, matchers);
        var sb = new StringBuilder();
        while (set.MoveNext())
        {
            var s = set.Current;
            string ls = s.Labels.ToString();
            var it = s.Iterator();
            while (it.Next() == ValueKind.Float)
            {
                var smp = it.At();
                sb.Clear();
                sb.Append(ls).Append(' ').Append(GoFloat.G(smp.V)).Append(' ').Append(smp.T.ToString(System.Globalization.CultureInfo.InvariantCulture));
                output.WriteLine(sb.ToString());
            }
            if (it.Error is not null) throw it.Error;
        }
    }

    /// <summary>Opens the database in <paramref name="dir"/> (no background work) and dumps it.</summary>
    public static void DumpDirectory(string dir, long mint, long maxt, Matcher[] matchers, TextWriter output)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no such directory: {dir}");
        using var db = TsdbDatabase.Open(dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero, RetentionMs = 0 });
        Dump(db, mint, maxt, matchers, output);
    }
}
