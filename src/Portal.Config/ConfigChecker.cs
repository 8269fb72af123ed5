using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;

namespace Portal.Config;

/// <summary>The kinds of files <see cref="ConfigChecker"/> checks.</summary>
public enum ConfigFileKind
{
    Prometheus,
    Rules,
    Alertmanager,
}

/// <summary>
/// Checks configuration files from disk and writes a report (what <c>portal check config|rules|alertmanager</c>
/// prints). A Prometheus configuration's rule files are checked too, like promtool does. Stateless; thread-safe.
/// </summary>
public static class ConfigChecker
{
    /// <summary>Checks every file; returns true when all are valid. Errors go to <paramref name="errors"/>, one per line as file:line:col: message.</summary>
    public static bool CheckFiles(ConfigFileKind kind, IReadOnlyList<string> files, TextWriter output, TextWriter errors)
    {
        bool allOk = true;
        foreach (var file in files)
        {
            output.WriteLine($"Checking {file}");
            if (!File.Exists(file))
            {
                errors.WriteLine($"{file}: no such file");
                output.WriteLine($"  FAILED: {file} cannot be read");
                allOk = false;
                continue;
            }
            bool ok = kind switch
            {
                ConfigFileKind.Prometheus => CheckPrometheus(file, output, errors),
                ConfigFileKind.Rules => CheckRules(file, output, errors),
                _ => Report(file, AlertmanagerConfigLoader.LoadFile(file), "a valid Alertmanager configuration", output, errors),
            };
            allOk &= ok;
            output.WriteLine();
        }
        return allOk;
    }

    private static bool CheckPrometheus(string file, TextWriter output, TextWriter errors)
    {
        var result = PrometheusConfigLoader.LoadFile(file);
        bool ok = Report(file, result, "a valid Prometheus configuration", output, errors);
        if (!ok) return false;
        var ruleFiles = new List<string>();
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        foreach (var pattern in result.Config!.RuleFiles ?? [])
        {
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(dir, pattern);
            var folder = Path.GetDirectoryName(full)!;
            var name = Path.GetFileName(full);
            if (!Directory.Exists(folder)) continue;
            var found = name.Contains('*') ? Directory.GetFiles(folder, name) : File.Exists(full) ? [full] : [];
            Array.Sort(found, StringComparer.Ordinal);
            ruleFiles.AddRange(found);
        }
        output.WriteLine($"  SUCCESS: {ruleFiles.Count} rule files found");
        foreach (var rf in ruleFiles)
        {
            output.WriteLine($"  Checking {rf}");
            ok &= CheckRules(rf, output, errors);
        }
        return ok;
    }

    private static bool CheckRules(string file, TextWriter output, TextWriter errors)
    {
        var result = RuleFileLoader.LoadFile(file);
        if (!Report(file, result, "a valid rule file", output, errors)) return false;
        int rules = 0;
        foreach (var g in result.Config!.Groups ?? []) rules += g.Rules?.Count ?? 0;
        output.WriteLine($"  SUCCESS: {rules} rules found");
        return true;
    }

    private static bool Report<T>(string file, ConfigLoadResult<T> result, string what, TextWriter output, TextWriter errors) where T : class
    {
        foreach (var n in result.Notes) output.WriteLine($"  NOTE: {n}");
        if (result.Success)
        {
            output.WriteLine($"  SUCCESS: {file} is {what}");
            return true;
        }
        output.WriteLine($"  FAILED: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")} in {file}");
        foreach (var e in result.Errors) errors.WriteLine(e.ToString());
        return false;
    }
}
