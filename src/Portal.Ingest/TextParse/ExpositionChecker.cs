using System.Text;

namespace Portal.Ingest.TextParse;

/// <summary>A problem found by <see cref="ExpositionChecker"/>: a hard error or a lint warning, with its line.</summary>
public sealed record ExpositionProblem(int Line, int Column, string Message, bool IsError)
{
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

/// <summary>What <see cref="ExpositionChecker.Check"/> found.</summary>
public sealed record ExpositionCheckResult(IReadOnlyList<ExpositionProblem> Problems, int Families, int Samples)
{
    public bool HasErrors
    {
        get
        {
            foreach (var p in Problems) if (p.IsError) return true;
            return false;
        }
    }
}

/// <summary>
/// Checks a whole payload: parse errors (the first one stops the check), the OpenMetrics semantic rules when
/// checking OpenMetrics, and the lint rules promtool applies to well-formed metrics (warnings). Thread-safe (no state).
/// </summary>
public static class ExpositionChecker
{
    public static ExpositionCheckResult Check(byte[] data, int length, bool openMetrics)
    {
        var problems = new List<ExpositionProblem>();
        ExpositionParser p = openMetrics ? new OpenMetricsParser(data, length, strict: true) : new PromTextParser(data, length);
        var validator = openMetrics ? new OpenMetricsValidator() : null;
        var helped = new HashSet<string>(StringComparer.Ordinal);
        var typed = new Dictionary<string, MetricType>(StringComparer.Ordinal);
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        int families = 0, samples = 0;
        try
        {
            while (true)
            {
                var e = p.Next();
                validator?.Observe(p, e);
                if (e == Entry.Eof) break;
                switch (e)
                {
                    case Entry.Help:
                        helped.Add(p.FamilyName);
                        if (seenNames.Add(p.FamilyName)) families++;
                        break;
                    case Entry.Type:
                        typed[p.FamilyName] = p.CurrentType;
                        if (seenNames.Add(p.FamilyName)) families++;
                        break;
                    case Entry.Series:
                        samples++;
                        if (!openMetrics && p.HasDuplicateLabelNames(out var dup))
                            problems.Add(new ExpositionProblem(p.Line, 1, $"label name \"{dup}\" is not unique", true));
                        break;
                }
            }
        }
        catch (ExpositionParseException ex)
        {
            problems.Add(new ExpositionProblem(ex.Line, ex.Column, ex.Reason, true));
            return new ExpositionCheckResult(problems, families, samples);
        }
        if (!openMetrics)
        {
            foreach (var (name, t) in typed)
            {
                if (!helped.Contains(name)) problems.Add(new ExpositionProblem(0, 0, $"{name} no help text", false));
                if (t == MetricType.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
                    problems.Add(new ExpositionProblem(0, 0, $"{name} counter metrics should have \"_total\" suffix", false));
                if (t != MetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal))
                    problems.Add(new ExpositionProblem(0, 0, $"{name} non-counter metrics should not have \"_total\" suffix", false));
            }
        }
        return new ExpositionCheckResult(problems, families, samples);
    }

    public static ExpositionCheckResult Check(string text, bool openMetrics)
    {
        var b = Encoding.UTF8.GetBytes(text);
        return Check(b, b.Length, openMetrics);
    }
}
