using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>
/// One panel or row as drawn: its model, where it sits on the grid, and the variables bound for it. For a repeat,
/// <see cref="Scope"/> binds the repeat variable to one value; a copy (<see cref="IsCopy"/>) is a model over a clone of
/// the source's JSON, never part of the dashboard's JSON, so saving and exporting leave it out.
/// </summary>
public sealed record DisplayPanel(PanelModel Panel, GridPos Pos, IReadOnlyDictionary<string, VariableValue>? Scope, bool IsCopy)
{
    /// <summary>The variables a panel's queries and title see: the dashboard's, with the repeat's binding over them.</summary>
    public IReadOnlyDictionary<string, VariableValue> Variables(IReadOnlyDictionary<string, VariableValue> dashboard)
    {
        if (Scope is null || Scope.Count == 0) return dashboard;
        var merged = new Dictionary<string, VariableValue>(dashboard, StringComparer.Ordinal);
        foreach (var (k, v) in Scope) merged[k] = v;
        return merged;
    }
}

/// <summary>
/// Grafana's repeat panels and repeat rows: a panel or row with <c>repeat: "var"</c> is drawn once per selected value
/// of the variable (every option for All), with <c>$var</c> bound to that value in each. Panels repeat
/// horizontally (<c>repeatDirection: "h"</c>, the default: widths of max(24 / values, 24 / maxPerRow), wrapping to
/// new lines; <c>maxPerRow</c> defaults to 4) or vertically (<c>"v"</c>: stacked at the panel's width). A row repeats
/// with the panels under it. The first value keeps the source panel; copies carry <c>repeatPanelId</c> (rows:
/// <c>repeatedRowId</c>) as in Grafana, and the panels further down move down to make room.
/// </summary>
public static class PanelRepeats
{
    /// <summary>
    /// The grid as drawn for <paramref name="visible"/> (rows and panels outside collapsed rows, as
    /// <see cref="GridLayout.Visible"/> gives them) with the variables' current <paramref name="values"/>. The models
    /// of <paramref name="visible"/> are not changed; copies get ids above every id in the dashboard, stable for the same values.
    /// </summary>
    public static List<DisplayPanel> Expand(IReadOnlyList<PanelModel> visible, IReadOnlyDictionary<string, VariableValue> values)
    {
        int nextId = 1 + visible.SelectMany(p => p.IsRow ? p.RowPanels.OfType<JsonObject>().Select(c => new PanelModel(c)).Append(p) : [p])
            .Select(p => p.Id).DefaultIfEmpty(0).Max();
        if (nextId < 1_000_000) nextId = 1_000_000 + nextId;
        var result = new List<DisplayPanel>();
        var ordered = visible.OrderBy(p => p.Pos.Y).ThenBy(p => p.Pos.X).ToList();
        int shift = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            var p = ordered[i];
            if (p.IsRow)
            {
                int end = i + 1;
                while (end < ordered.Count && !ordered[end].IsRow) end++;
                var members = ordered.GetRange(i + 1, end - i - 1);
                shift += ExpandRow(p, members, values, shift, result, ref nextId);
                i = end - 1;
                continue;
            }
            shift += ExpandPanel(p, false, null, values, shift, result, ref nextId);
        }
        return Compact(result);
    }

    /// <summary>The values a repeat over <paramref name="variable"/> makes copies for; empty when the panel does not repeat.</summary>
    public static IReadOnlyList<VariableValue> ValuesOf(string variable, IReadOnlyDictionary<string, VariableValue> values)
    {
        if (variable.Length == 0 || !values.TryGetValue(variable, out var v)) return [];
        return v.Values.Where(x => x.Length > 0).Distinct(StringComparer.Ordinal)
            .Select(x => new VariableValue([x], v.MultiOrAll)).ToList();
    }

    /// <summary>The binding of a repeating panel's first value (what the source panel shows), or null when it does not repeat.</summary>
    public static IReadOnlyDictionary<string, VariableValue>? FirstScope(PanelModel p, IReadOnlyDictionary<string, VariableValue> values)
    {
        var repeat = RepeatOf(p);
        return ValuesOf(repeat, values) is { Count: > 0 } each ? new Dictionary<string, VariableValue>(StringComparer.Ordinal) { [repeat] = each[0] } : null;
    }

    private static string RepeatOf(PanelModel p) => GrafanaJson.Str(p.Json["repeat"]) is { Length: > 0 } r ? r.TrimStart('$') : "";

    /// <summary>
    /// Adds a panel moved down by <paramref name="shift"/>, and when it repeats its copies; returns how many grid rows the
    /// copies add. <paramref name="isCopy"/> says whether <paramref name="p"/> itself is a copy (inside a repeated row).
    /// </summary>
    private static int ExpandPanel(PanelModel p, bool isCopy, IReadOnlyDictionary<string, VariableValue>? rowScope,
        IReadOnlyDictionary<string, VariableValue> values, int shift, List<DisplayPanel> result, ref int nextId)
    {
        var pos = p.Pos with { Y = p.Pos.Y + shift };
        var repeat = RepeatOf(p);
        var each = ValuesOf(repeat, values);
        if (each.Count == 0)
        {
            result.Add(new DisplayPanel(p, pos, rowScope, isCopy));
            return 0;
        }
        bool vertical = GrafanaJson.Str(p.Json["repeatDirection"]) == "v";
        int maxPerRow = (int)(GrafanaJson.Num(p.Json["maxPerRow"]) ?? 4);
        if (maxPerRow < 1) maxPerRow = 4;
        int width = vertical ? pos.W : Math.Max(1, (int)Math.Max(DashboardMigrator.GridColumns / (double)each.Count, DashboardMigrator.GridColumns / (double)maxPerRow));
        int x = 0, y = pos.Y, bottom = pos.Bottom;
        for (int k = 0; k < each.Count; k++)
        {
            GridPos at;
            if (vertical) at = pos with { Y = pos.Y + k * pos.H };
            else
            {
                if (x + width > DashboardMigrator.GridColumns) { x = 0; y += pos.H; }
                at = new GridPos(x, y, width, pos.H);
                x += width;
            }
            bottom = Math.Max(bottom, at.Bottom);
            var scope = new Dictionary<string, VariableValue>(rowScope ?? new Dictionary<string, VariableValue>(), StringComparer.Ordinal) { [repeat] = each[k] };
            result.Add(k == 0 ? new DisplayPanel(p, at, scope, isCopy) : new DisplayPanel(Copy(p, ref nextId, "repeatPanelId"), at, scope, true));
        }
        return bottom - pos.Bottom;
    }

    /// <summary>Adds a row with its panels, and for a repeating row one copy of both per further value; returns the grid rows added.</summary>
    private static int ExpandRow(PanelModel row, List<PanelModel> members, IReadOnlyDictionary<string, VariableValue> values, int shift,
        List<DisplayPanel> result, ref int nextId)
    {
        var repeat = RepeatOf(row);
        var each = ValuesOf(repeat, values);
        if (each.Count == 0)
        {
            result.Add(new DisplayPanel(row, row.Pos with { Y = row.Pos.Y + shift }, null, false));
            int added = 0;
            foreach (var m in members) added += ExpandPanel(m, false, null, values, shift + added, result, ref nextId);
            return added;
        }
        int blockHeight = 1 + (members.Count == 0 ? 0 : Math.Max(0, members.Max(m => m.Pos.Bottom) - row.Pos.Y - 1));
        int y = row.Pos.Y + shift, total = 0;
        for (int k = 0; k < each.Count; k++)
        {
            var scope = new Dictionary<string, VariableValue>(StringComparer.Ordinal) { [repeat] = each[k] };
            int offset = y - row.Pos.Y;
            var rowItem = row;
            if (k > 0)
            {
                rowItem = Copy(row, ref nextId, "repeatedRowId");
                rowItem.Json.Remove("repeat");
                foreach (var inner in rowItem.RowPanels.OfType<JsonObject>()) inner["id"] = nextId++;
            }
            result.Add(new DisplayPanel(rowItem, row.Pos with { Y = y }, scope, k > 0));
            int grown = 0;
            foreach (var m in members)
                grown += ExpandPanel(k == 0 ? m : Copy(m, ref nextId, "repeatPanelId"), k > 0, scope, values, offset + grown, result, ref nextId);
            y += blockHeight + grown;
            total += (k == 0 ? 0 : blockHeight) + grown;
        }
        return total;
    }

    private static PanelModel Copy(PanelModel source, ref int nextId, string marker)
    {
        var json = (JsonObject)source.Json.DeepClone();
        json[marker] = source.Id;
        var copy = new PanelModel(json) { Id = nextId++ };
        return copy;
    }

    /// <summary>Moves each drawn item up until it touches another, as the grid compacts vertically; rows keep their order.</summary>
    private static List<DisplayPanel> Compact(List<DisplayPanel> items)
    {
        var order = items.OrderBy(d => d.Pos.Y).ThenBy(d => d.Pos.X).ToList();
        var placed = new List<GridPos>();
        var result = new List<DisplayPanel>(order.Count);
        foreach (var d in order)
        {
            var pos = d.Panel.IsRow ? d.Pos with { H = 1 } : d.Pos;
            while (pos.Y > 0 && !placed.Any((pos with { Y = pos.Y - 1 }).Overlaps)) pos = pos with { Y = pos.Y - 1 };
            while (placed.FirstOrDefault(pos.Overlaps) is { W: > 0 } hit) pos = pos with { Y = hit.Bottom };
            placed.Add(pos);
            result.Add(d with { Pos = pos });
        }
        return result;
    }
}
