using Portal.Ingest.TextParse;

namespace Portal.Ingest.Scrape;

/// <summary>
/// What a target says about one metric family in its TYPE, HELP and UNIT lines, as the metadata APIs report it.
/// <see cref="Type"/> is the exposition type name ("counter", "gauge", …, "unknown" when only HELP or UNIT was given).
/// </summary>
public sealed record MetricMetadata(string Metric, string Type, string Help, string Unit);

/// <summary>
/// One scrape loop's metadata per metric family, kept the way Prometheus's scrape cache keeps it: updated from every
/// parsed TYPE, HELP and UNIT line, and forgotten ten successful scrapes after the family last appeared. Readers get
/// an immutable, name-sorted <see cref="Snapshot"/> republished only when something changed. Writes are not
/// thread-safe (the owning loop serializes them); <see cref="Snapshot"/> may be read from any thread.
/// </summary>
internal sealed class TargetMetadataCache
{
    /// <summary>Successful scrapes a family's metadata outlives its last appearance.</summary>
    public const int KeepScrapes = 10;

    private sealed class Family(string name)
    {
        public readonly string Name = name;
        public MetricType Type = MetricType.Unknown;
        public byte[] HelpRaw = [];
        public string Help = "";
        public string Unit = "";
        public byte[] UnitRaw = [];
        public long LastIter;
    }

    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);
    private bool _changed;
    private volatile IReadOnlyList<MetricMetadata> _snapshot = [];

    /// <summary>The families known after the latest scrape, sorted by name. Never null; replaced, never mutated.</summary>
    public IReadOnlyList<MetricMetadata> Snapshot => _snapshot;

    /// <summary>Records the TYPE, HELP or UNIT entry the parser is positioned on, seen in scrape <paramref name="iter"/>.</summary>
    public void Observe(ExpositionParser p, Entry kind, long iter)
    {
        var name = p.FamilyName;
        if (!_families.TryGetValue(name, out var f))
        {
            f = new Family(name);
            _families[name] = f;
            _changed = true;
        }
        f.LastIter = iter;
        switch (kind)
        {
            case Entry.Type:
                if (f.Type != p.CurrentType)
                {
                    f.Type = p.CurrentType;
                    _changed = true;
                }
                break;
            case Entry.Help:
                if (!p.RawText.SequenceEqual(f.HelpRaw))
                {
                    f.HelpRaw = p.RawText.ToArray();
                    f.Help = p.HelpText();
                    _changed = true;
                }
                break;
            case Entry.Unit:
                if (!p.RawText.SequenceEqual(f.UnitRaw))
                {
                    f.UnitRaw = p.RawText.ToArray();
                    f.Unit = p.UnitText;
                    _changed = true;
                }
                break;
        }
    }

    /// <summary>
    /// Ends scrape <paramref name="iter"/>: after a successful scrape, families unseen for more than
    /// <see cref="KeepScrapes"/> scrapes are dropped; then the snapshot is republished if anything changed.
    /// </summary>
    public void ScrapeDone(long iter, bool success)
    {
        if (success)
        {
            List<string>? old = null;
            foreach (var f in _families.Values)
                if (iter - f.LastIter > KeepScrapes) (old ??= []).Add(f.Name);
            if (old is not null)
            {
                foreach (var n in old) _families.Remove(n);
                _changed = true;
            }
        }
        if (!_changed) return;
        _changed = false;
        var list = new List<MetricMetadata>(_families.Count);
        foreach (var f in _families.Values) list.Add(new MetricMetadata(f.Name, MetricTypes.Name(f.Type), f.Help, f.Unit));
        list.Sort((a, b) => string.CompareOrdinal(a.Metric, b.Metric));
        _snapshot = list;
    }
}
