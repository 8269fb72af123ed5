using System.Text;
using System.Text.RegularExpressions;

namespace Portal.PromQL.Engine;

/// <summary>Natural ordering of label values as sort_by_label uses it: digit runs compare as integers. Thread-safe.</summary>
internal static class NaturalSort
{
    /// <summary>-1 when <paramref name="a"/> sorts before <paramref name="b"/>, else 1 (callers only compare unequal values).</summary>
    public static int Compare(string a, string b) => Less(a, b) ? -1 : 1;

    private static List<string> Chunks(string s)
    {
        var res = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            int j = i;
            bool digit = char.IsAsciiDigit(s[i]);
            while (j < s.Length && char.IsAsciiDigit(s[j]) == digit) j++;
            res.Add(s[i..j]);
            i = j;
        }
        return res;
    }

    public static bool Less(string a, string b)
    {
        var ca = Chunks(a);
        var cb = Chunks(b);
        for (int i = 0; i < ca.Count; i++)
        {
            if (i >= cb.Count) return false;
            bool aNum = long.TryParse(ca[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ai);
            bool bNum = long.TryParse(cb[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long bi);
            if (aNum && bNum)
            {
                if (ai == bi)
                {
                    if (i == ca.Count - 1) return true;
                    if (i == cb.Count - 1) return false;
                    continue;
                }
                return ai < bi;
            }
            if (ca[i] == cb[i])
            {
                if (i == ca.Count - 1) return true;
                if (i == cb.Count - 1) return false;
                continue;
            }
            return string.CompareOrdinal(ca[i], cb[i]) < 0;
        }
        return false;
    }
}

/// <summary>Go's regexp template expansion (<c>$1</c>, <c>${name}</c>, <c>$$</c>) over a .NET match. Thread-safe.</summary>
internal static class GoTemplate
{
    public static string Expand(string template, Match m, Regex re)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            char ch = template[i];
            if (ch != '$')
            {
                sb.Append(ch);
                i++;
                continue;
            }
            i++;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            bool brace = i < template.Length && template[i] == '{';
            int start = brace ? i + 1 : i;
            int j = start;
            while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_')) j++;
            string name = template[start..j];
            if (name.Length == 0 || (brace && (j >= template.Length || template[j] != '}')))
            {
                sb.Append('$');
                continue;
            }
            i = brace ? j + 1 : j;
            bool numeric = true;
            foreach (char c in name)
                if (!char.IsAsciiDigit(c)) numeric = false;
            int group = -1;
            if (numeric)
            {
                if (int.TryParse(name, out int n)) group = n;
            }
            else
            {
                group = re.GroupNumberFromName(name);
            }
            if (group >= 0 && group < m.Groups.Count && m.Groups[group].Success) sb.Append(m.Groups[group].Value);
        }
        return sb.ToString();
    }
}
