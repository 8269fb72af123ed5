using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Rules.Templates;

/// <summary>String helpers shared by the Prometheus and Alertmanager function sets, with Go's behaviour. Thread-safe.</summary>
public static class TemplateText
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>An unanchored regex (Go's regexp semantics as far as .NET shares them); throws with Go's wording when invalid.</summary>
    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var re)) return re;
        try
        {
            re = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"error parsing regexp: {e.Message}", e);
        }
        if (Cache.Count < 1024) Cache[pattern] = re;
        return re;
    }

    /// <summary>Go's <c>Regexp.ReplaceAllString</c>: every match replaced by <paramref name="repl"/> with <c>$1</c>, <c>${name}</c>, <c>$$</c> expanded.</summary>
    public static string ReplaceAll(string pattern, string repl, string text)
    {
        var re = Compile(pattern);
        return re.Replace(text, m => Expand(re, repl, m));
    }

    /// <summary>Go's <c>regexp.Expand</c>: <c>$name</c> takes the longest run of letters, digits and underscores; unknown groups expand to "".</summary>
    public static string Expand(Regex re, string template, Match m)
    {
        if (template.IndexOf('$') < 0) return template;
        var sb = new StringBuilder(template.Length + 16);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }
            char n = template[i + 1];
            if (n == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            string name;
            int end;
            if (n == '{')
            {
                int close = template.IndexOf('}', i + 2);
                if (close < 0) { sb.Append(c); continue; }
                name = template.Substring(i + 2, close - i - 2);
                end = close;
                if (name.Length == 0 || !IsName(name)) { sb.Append(c); continue; }
            }
            else
            {
                int j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_')) j++;
                if (j == i + 1) { sb.Append(c); continue; }
                name = template.Substring(i + 1, j - i - 1);
                end = j - 1;
            }
            Group? g = null;
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int num))
            {
                if (Array.IndexOf(re.GetGroupNumbers(), num) >= 0) g = m.Groups[num];
            }
            else if (re.GroupNumberFromName(name) >= 0) g = m.Groups[name];
            if (g is { Success: true }) sb.Append(g.Value);
            i = end;
        }
        return sb.ToString();
    }

    private static bool IsName(string s)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    /// <summary>Title case: the first letter of each word upper-cased; with <paramref name="lowerRest"/> the other letters lower-cased.</summary>
    public static string Title(string s, bool lowerRest)
    {
        var sb = new StringBuilder(s.Length);
        bool inWord = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool wordChar = char.IsLetterOrDigit(c) || c == '_' || (c is '\'' or '’' && inWord && i + 1 < s.Length && char.IsLetter(s[i + 1]));
            if (char.IsLetter(c)) sb.Append(inWord ? (lowerRest ? char.ToLowerInvariant(c) : c) : char.ToUpperInvariant(c));
            else sb.Append(c);
            inWord = wordChar;
        }
        return sb.ToString();
    }

    /// <summary>Go's <c>net.SplitHostPort</c>; false when the text is not host:port.</summary>
    public static bool TrySplitHostPort(string hostPort, out string host, out string port)
    {
        host = port = "";
        int colon = hostPort.LastIndexOf(':');
        if (colon < 0) return false;
        if (hostPort.StartsWith('['))
        {
            int close = hostPort.IndexOf(']');
            if (close < 0) return false;
            if (close + 1 == hostPort.Length || close + 1 != colon) return false;
            if (hostPort.IndexOf('[', 1) >= 0 || hostPort.IndexOf(']', close + 1) >= 0) return false;
            host = hostPort.Substring(1, close - 1);
        }
        else
        {
            host = hostPort[..colon];
            if (host.Contains(':') || host.Contains('[') || host.Contains(']')) return false;
        }
        port = hostPort[(colon + 1)..];
        return true;
    }

    /// <summary>Prometheus's <c>stripPort</c>: the host of host:port, or the text unchanged when it does not split.</summary>
    public static string StripPort(string hostPort) => TrySplitHostPort(hostPort, out var host, out _) ? host : hostPort;

    /// <summary>Prometheus's <c>stripDomain</c>: the first label of a host name, keeping a port; IP addresses unchanged.</summary>
    public static string StripDomain(string hostPort)
    {
        if (!TrySplitHostPort(hostPort, out var host, out var port)) { host = hostPort; port = ""; }
        if (IPAddress.TryParse(host, out _) && (host.Contains('.') || host.Contains(':'))) return hostPort;
        host = host.Split('.')[0];
        if (port.Length > 0) return host.Contains(':') ? "[" + host + "]:" + port : host + ":" + port;
        return host;
    }
}
