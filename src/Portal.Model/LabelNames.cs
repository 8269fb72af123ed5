namespace Portal.Model;

/// <summary>Prometheus's naming rules for metric and label names.</summary>
public static class LabelNames
{
    /// <summary>Legacy metric-name charset: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsLegacyMetricName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = char.IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Legacy label-name charset: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsLegacyLabelName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>
    /// Prometheus 3 (UTF-8 names): any non-empty valid UTF-16 string (no lone surrogates).
    /// </summary>
    public static bool IsValidUtf8Name(ReadOnlySpan<char> name)
    {
        if (name.Length == 0) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>
    /// Checks a series' labels before storage: a non-empty metric name, valid names, no empty values
    /// (an empty value means "absent"), no duplicates and sorted order. Returns null when valid,
    /// else the reason.
    /// </summary>
    public static string? Validate(Labels labels)
    {
        if (labels.MetricNameValue.Length == 0) return "series has no metric name (__name__ label)";
        var span = labels.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            var l = span[i];
            if (!IsValidUtf8Name(l.Name)) return $"invalid label name \"{l.Name}\"";
            if (l.Value.Length == 0) return $"label \"{l.Name}\" has an empty value";
            if (!IsValidUtf8Name(l.Value) && l.Value.Length > 0) return $"label \"{l.Name}\" has an invalid UTF-8 value";
            if (i > 0)
            {
                int c = string.CompareOrdinal(span[i - 1].Name, l.Name);
                if (c == 0) return $"duplicate label name \"{l.Name}\"";
                if (c > 0) return $"labels are not sorted at \"{l.Name}\"";
            }
        }
        return null;
    }
}
