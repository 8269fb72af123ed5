using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;

namespace Portal.Model;

/// <summary>One label: a name and a value. Both are non-null.</summary>
public readonly record struct Label(string Name, string Value)
{
    public override string ToString() => $"{Name}=\"{Value}\"";
}

/// <summary>
/// An immutable label set, sorted by name (ordinal, i.e. by UTF-16 code unit, which orders
/// ASCII names exactly as Prometheus's byte order does) with unique names.
/// Instances are safe to share between threads. Use <see cref="LabelsBuilder"/> or
/// <see cref="FromUnsorted"/> to build one.
/// </summary>
public sealed class Labels : IReadOnlyList<Label>, IEquatable<Labels>, IComparable<Labels>
{
    public const string MetricName = "__name__";

    public static readonly Labels Empty = new([]);

    private readonly Label[] _labels;
    private ulong _hash;
    private bool _hashed;

    private Labels(Label[] sorted) => _labels = sorted;

    /// <summary>Wraps an array that the caller guarantees is sorted and duplicate-free. The array is owned by the result.</summary>
    public static Labels FromSortedUnchecked(Label[] sorted) => sorted.Length == 0 ? Empty : new Labels(sorted);

    /// <summary>Sorts a copy of <paramref name="labels"/>; on duplicate names the last one wins.</summary>
    public static Labels FromUnsorted(IEnumerable<Label> labels)
    {
        var b = new LabelsBuilder();
        foreach (var l in labels) b.Set(l.Name, l.Value);
        return b.Build();
    }

    /// <summary>From name/value pairs: <c>FromStrings("__name__", "up", "job", "x")</c>.</summary>
    public static Labels FromStrings(params string[] pairs)
    {
        if (pairs.Length % 2 != 0) throw new ArgumentException("labels need name/value pairs", nameof(pairs));
        var b = new LabelsBuilder();
        for (int i = 0; i < pairs.Length; i += 2) b.Set(pairs[i], pairs[i + 1]);
        return b.Build();
    }

    public int Count => _labels.Length;
    public Label this[int index] => _labels[index];
    public ReadOnlySpan<Label> AsSpan() => _labels;

    /// <summary>The value of <paramref name="name"/>, or "" when absent (Prometheus treats both alike).</summary>
    public string Get(string name)
    {
        int i = IndexOf(name);
        return i >= 0 ? _labels[i].Value : "";
    }

    public bool Has(string name) => IndexOf(name) >= 0;

    public string MetricNameValue => Get(MetricName);

    public int IndexOf(string name)
    {
        int lo = 0, hi = _labels.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(_labels[mid].Name, name);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>A 64-bit hash of names and values (FNV-1a over UTF-16 with separators), stable within a process run.</summary>
    public ulong Hash
    {
        get
        {
            if (!_hashed)
            {
                _hash = HashLabels(_labels);
                _hashed = true;
            }
            return _hash;
        }
    }

    public static ulong HashLabels(ReadOnlySpan<Label> labels)
    {
        ulong h = 14695981039346656037UL;
        foreach (var l in labels)
        {
            h = HashString(h, l.Name);
            h = (h ^ 0xff) * 1099511628211UL;
            h = HashString(h, l.Value);
            h = (h ^ 0xfe) * 1099511628211UL;
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashString(ulong h, string s)
    {
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._labels.Length != _labels.Length) return false;
        if (_hashed && other._hashed && _hash != other._hash) return false;
        for (int i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Name, other._labels[i].Name, StringComparison.Ordinal) ||
                !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is Labels l && Equals(l);
    public override int GetHashCode() => (int)(Hash ^ (Hash >> 32));

    /// <summary>Prometheus's label-set order: label by label, name then value, ordinal; a prefix sorts first.</summary>
    public int CompareTo(Labels? other)
    {
        if (other is null) return 1;
        int n = Math.Min(_labels.Length, other._labels.Length);
        for (int i = 0; i < n; i++)
        {
            int c = string.CompareOrdinal(_labels[i].Name, other._labels[i].Name);
            if (c != 0) return c;
            c = string.CompareOrdinal(_labels[i].Value, other._labels[i].Value);
            if (c != 0) return c;
        }
        return _labels.Length.CompareTo(other._labels.Length);
    }

    /// <summary>A copy without <paramref name="names"/>.</summary>
    public Labels Without(params string[] names)
    {
        var list = new List<Label>(_labels.Length);
        foreach (var l in _labels)
            if (Array.IndexOf(names, l.Name) < 0) list.Add(l);
        return list.Count == _labels.Length ? this : FromSortedUnchecked(list.ToArray());
    }

    /// <summary>A copy with only <paramref name="names"/>.</summary>
    public Labels Keep(params string[] names)
    {
        var list = new List<Label>(names.Length);
        foreach (var l in _labels)
            if (Array.IndexOf(names, l.Name) >= 0) list.Add(l);
        return list.Count == _labels.Length ? this : FromSortedUnchecked(list.ToArray());
    }

    /// <summary>Prometheus's text form: <c>{__name__="up", job="x"}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < _labels.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(_labels[i].Name).Append("=\"");
            AppendEscaped(sb, _labels[i].Value);
            sb.Append('"');
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Escapes backslash, double quote and newline as Prometheus's string quoting does.</summary>
    public static void AppendEscaped(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    public IEnumerator<Label> GetEnumerator() => ((IEnumerable<Label>)_labels).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _labels.GetEnumerator();

    public static bool operator ==(Labels? a, Labels? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Labels? a, Labels? b) => !(a == b);
}

/// <summary>Builds a <see cref="Labels"/>: set and delete by name, then <see cref="Build"/>. Setting "" deletes. Not thread-safe.</summary>
public sealed class LabelsBuilder
{
    private readonly List<Label> _labels = new();

    public LabelsBuilder() { }

    public LabelsBuilder(Labels start) => Reset(start);

    public LabelsBuilder Reset(Labels start)
    {
        _labels.Clear();
        foreach (var l in start.AsSpan()) _labels.Add(l);
        return this;
    }

    public LabelsBuilder Set(string name, string value)
    {
        int i = Find(name);
        if (value.Length == 0)
        {
            if (i >= 0) _labels.RemoveAt(i);
            return this;
        }
        if (i >= 0) _labels[i] = new Label(name, value);
        else _labels.Insert(~i, new Label(name, value));
        return this;
    }

    public LabelsBuilder Delete(string name)
    {
        int i = Find(name);
        if (i >= 0) _labels.RemoveAt(i);
        return this;
    }

    public string Get(string name)
    {
        int i = Find(name);
        return i >= 0 ? _labels[i].Value : "";
    }

    public int Count => _labels.Count;

    public Labels Build() => Labels.FromSortedUnchecked(_labels.ToArray());

    private int Find(string name)
    {
        int lo = 0, hi = _labels.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(_labels[mid].Name, name);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }
}
