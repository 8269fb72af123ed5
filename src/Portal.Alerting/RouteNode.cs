using System.Text;
using Portal.Config.Alertmanager;
using Portal.Model;
using MatchType = Portal.Model.MatchType;
using ConfigRoute = Portal.Config.Alertmanager.Route;

namespace Portal.Alerting;

/// <summary>
/// A node of the compiled routing tree with its effective options (receiver, group_by, timings inherited from the
/// parent when unset; mute/active time intervals are the node's own). Immutable after construction; thread-safe.
/// </summary>
public sealed class RouteNode
{
    private readonly RouteNode? _parent;

    public RouteNode? Parent => _parent;
    public IReadOnlyList<Matcher> Matchers { get; }
    public IReadOnlyList<RouteNode> Routes { get; }
    public string Receiver { get; }
    /// <summary>Labels to group by (sorted, unique); ignored when <see cref="GroupByAll"/>.</summary>
    public IReadOnlyList<string> GroupBy { get; }
    public bool GroupByAll { get; }
    public TimeSpan GroupWait { get; }
    public TimeSpan GroupInterval { get; }
    public TimeSpan RepeatInterval { get; }
    public bool Continue { get; }
    public IReadOnlyList<string> MuteTimeIntervals { get; }
    public IReadOnlyList<string> ActiveTimeIntervals { get; }

    /// <summary>The node's key: the parent's key, '/', and this node's matchers (<c>{}/{severity="critical"}</c>); part of group keys.</summary>
    public string Key { get; }

    /// <summary>The node's unique id: like <see cref="Key"/> with each node's index among its siblings.</summary>
    public string Id { get; }

    /// <summary>Compiles the tree of <paramref name="root"/>, a route of a successfully loaded configuration.</summary>
    public static RouteNode Build(ConfigRoute root) => new(root, null, 0);

    private RouteNode(ConfigRoute r, RouteNode? parent, int index)
    {
        _parent = parent;
        var ms = new List<Matcher>(r.AllMatchers);
        ms.Sort(CompareMatchers);
        Matchers = ms;
        Receiver = !string.IsNullOrEmpty(r.Receiver) ? r.Receiver : parent?.Receiver ?? "";
        if (r.GroupBy is not null)
        {
            GroupByAll = r.GroupByAll;
            var g = new List<string>();
            foreach (var l in r.GroupBy)
                if (l != "..." && !g.Contains(l)) g.Add(l);
            g.Sort(StringComparer.Ordinal);
            GroupBy = g;
        }
        else
        {
            GroupBy = parent?.GroupBy ?? [];
            GroupByAll = parent?.GroupByAll ?? false;
        }
        GroupWait = r.GroupWait?.ToTimeSpan() ?? parent?.GroupWait ?? ConfigRoute.DefaultGroupWait.ToTimeSpan();
        GroupInterval = r.GroupInterval?.ToTimeSpan() ?? parent?.GroupInterval ?? ConfigRoute.DefaultGroupInterval.ToTimeSpan();
        RepeatInterval = r.RepeatInterval?.ToTimeSpan() ?? parent?.RepeatInterval ?? ConfigRoute.DefaultRepeatInterval.ToTimeSpan();
        Continue = r.Continue;
        MuteTimeIntervals = r.MuteTimeIntervals ?? [];
        ActiveTimeIntervals = r.ActiveTimeIntervals ?? [];
        var own = MatchersString(ms);
        Key = parent is null ? own : parent.Key + "/" + own;
        Id = parent is null ? own : parent.Id + "/" + own + "/" + index;
        var children = new List<RouteNode>();
        if (r.Routes is not null)
            for (int i = 0; i < r.Routes.Count; i++) children.Add(new RouteNode(r.Routes[i], this, i));
        Routes = children;
    }

    /// <summary>
    /// The nodes an alert with <paramref name="labels"/> is routed to, depth first: the deepest matching nodes, continuing
    /// to later siblings only past nodes with <c>continue: true</c>; a matching node without matching children matches itself.
    /// Empty when this node does not match.
    /// </summary>
    public List<RouteNode> Match(Labels labels)
    {
        var all = new List<RouteNode>();
        MatchInto(labels, all);
        return all;
    }

    private bool MatchInto(Labels labels, List<RouteNode> all)
    {
        if (!Matches(labels)) return false;
        int before = all.Count;
        foreach (var child in Routes)
        {
            bool matched = child.MatchInto(labels, all);
            if (matched && !child.Continue) break;
        }
        if (all.Count == before) all.Add(this);
        return true;
    }

    /// <summary>True when every matcher of this node matches <paramref name="labels"/> (a missing label is the empty string).</summary>
    public bool Matches(Labels labels) => Matcher.AllMatch(Matchers, labels);

    /// <summary>The labels of <paramref name="alertLabels"/> this node groups by.</summary>
    public Labels GroupLabels(Labels alertLabels)
    {
        if (GroupByAll) return alertLabels;
        if (GroupBy.Count == 0) return Labels.Empty;
        var kept = new List<Label>(GroupBy.Count);
        foreach (var l in alertLabels.AsSpan())
            if (ContainsOrdinal(GroupBy, l.Name)) kept.Add(l);
        return Labels.FromSortedUnchecked(kept.ToArray());
    }

    private static bool ContainsOrdinal(IReadOnlyList<string> list, string s)
    {
        for (int i = 0; i < list.Count; i++)
            if (string.Equals(list[i], s, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Every node of the tree rooted here, depth first, this node first.</summary>
    public IEnumerable<RouteNode> Walk()
    {
        yield return this;
        foreach (var c in Routes)
            foreach (var n in c.Walk()) yield return n;
    }

    private static int CompareMatchers(Matcher a, Matcher b)
    {
        int c = string.CompareOrdinal(a.Name, b.Name);
        if (c != 0) return c;
        c = ((int)a.Type).CompareTo((int)b.Type);
        return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
    }

    /// <summary>Matchers as Alertmanager prints them: <c>{a="1",b=~"x"}</c>.</summary>
    public static string MatchersString(IReadOnlyList<Matcher> ms)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < ms.Count; i++)
        {
            if (i > 0) sb.Append(',');
            AppendMatcher(sb, ms[i]);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>One matcher as Alertmanager prints it: name, operator, Go-quoted value.</summary>
    public static void AppendMatcher(StringBuilder sb, Matcher m)
    {
        sb.Append(m.Name).Append(m.Type switch { MatchType.Equal => "=", MatchType.NotEqual => "!=", MatchType.Regex => "=~", _ => "!~" });
        Fingerprints.GoQuote(sb, m.Value);
    }

    public override string ToString() => Id;
}
