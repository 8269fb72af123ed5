using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>
/// The panel grid's layout rules, as Grafana's grid behaves: panels float up until they touch another (vertical
/// compaction), a moved or resized panel pushes the panels it lands on down, and a collapsed row holds its panels.
/// </summary>
public static class GridLayout
{
    /// <summary>
    /// Moves every panel up as far as it goes without overlapping one placed before it, in (y, x) order, with
    /// <paramref name="first"/> (the one just moved) placed before the others so it keeps its spot.
    /// </summary>
    public static void Compact(IList<PanelModel> panels, PanelModel? first = null)
    {
        var order = panels.OrderBy(p => p == first ? 0 : 1).ThenBy(p => p.Pos.Y).ThenBy(p => p.Pos.X).ToList();
        var placed = new List<GridPos>();
        foreach (var p in order)
        {
            var pos = p.Pos;
            if (p != first)
            {
                while (pos.Y > 0 && !placed.Any((pos with { Y = pos.Y - 1 }).Overlaps)) pos = pos with { Y = pos.Y - 1 };
            }
            while (placed.FirstOrDefault(pos.Overlaps) is { W: > 0 } hit) pos = pos with { Y = hit.Bottom };
            if (p.Pos != pos) p.Pos = pos;
            placed.Add(pos);
        }
    }

    /// <summary>Collapses row <paramref name="row"/>: the panels below it up to the next row move inside it.</summary>
    public static void Collapse(JsonArray panels, PanelModel row)
    {
        var list = panels.OfType<JsonObject>().Select(p => new PanelModel(p)).OrderBy(p => p.Pos.Y).ThenBy(p => p.Pos.X).ToList();
        int index = list.FindIndex(p => p.Json == row.Json);
        var inner = row.RowPanels;
        for (int i = index + 1; i < list.Count && !list[i].IsRow; i++)
        {
            panels.Remove(list[i].Json);
            inner.Add(list[i].Json);
        }
        row.Collapsed = true;
    }

    /// <summary>Expands row <paramref name="row"/>: its panels return below it and the panels further down make room.</summary>
    public static void Expand(JsonArray panels, PanelModel row)
    {
        var inner = row.RowPanels.OfType<JsonObject>().Select(p => new PanelModel(p)).ToList();
        row.RowPanels.Clear();
        row.Collapsed = false;
        if (inner.Count == 0) return;
        int top = inner.Min(p => p.Pos.Y);
        int rowY = row.Pos.Y;
        int height = inner.Max(p => p.Pos.Y - top + p.Pos.H);
        foreach (var other in panels.OfType<JsonObject>().Select(p => new PanelModel(p)))
            if (other.Json != row.Json && other.Pos.Y > rowY) other.Pos = other.Pos with { Y = other.Pos.Y + height };
        foreach (var p in inner)
        {
            p.Pos = p.Pos with { Y = rowY + 1 + p.Pos.Y - top };
            panels.Add(p.Json);
        }
    }

    /// <summary>The panels of the grid (rows and the panels outside collapsed rows), top to bottom.</summary>
    public static List<PanelModel> Visible(JsonArray panels) =>
        panels.OfType<JsonObject>().Select(p => new PanelModel(p)).OrderBy(p => p.Pos.Y).ThenBy(p => p.Pos.X).ToList();

    /// <summary>The first free place for a new panel of size <paramref name="w"/>×<paramref name="h"/>: the top, pushing the rest down.</summary>
    public static GridPos Top(int w, int h) => new(0, 0, w, h);
}
