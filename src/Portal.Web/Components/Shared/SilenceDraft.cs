using System.Globalization;
using Portal.Alerting;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Web.Components.Shared;

/// <summary>One editable matcher row of a silence: label name, operator (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>) and value.</summary>
public sealed class MatcherRow
{
    public string Name { get; set; } = "";
    public string Op { get; set; } = "=";
    public string Value { get; set; } = "";

    /// <summary>The operators offered, in Alertmanager's order.</summary>
    public static readonly string[] Operators = ["=", "!=", "=~", "!~"];

    public override string ToString() => $"{Name}{Op}\"{Value}\"";
}

/// <summary>
/// A silence being written in the editor: matchers, start, duration or end (kept in step), and comment. Times are
/// UTC and written as <c>yyyy-MM-dd HH:mm:ss</c>. <see cref="Validate"/> checks everything Alertmanager checks and
/// says where and why. Not thread-safe; one per editor.
/// </summary>
public sealed class SilenceDraft
{
    /// <summary>How times are written in the editor.</summary>
    public const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly string[] TimeFormats = [TimeFormat, "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd"];

    public List<MatcherRow> Matchers { get; } = [];
    public string StartsText { get; private set; } = "";
    public string DurationText { get; private set; } = "2h";
    public string EndsText { get; private set; } = "";
    public string Comment { get; set; } = "";

    /// <summary>A draft starting at <paramref name="now"/> for <paramref name="duration"/>, with one equality matcher per label of <paramref name="labels"/> (none when null).</summary>
    public static SilenceDraft Create(DateTimeOffset now, TimeSpan duration, Labels? labels = null)
    {
        var d = new SilenceDraft();
        foreach (var l in labels ?? Labels.Empty) d.Matchers.Add(new MatcherRow { Name = l.Name, Value = l.Value });
        if (d.Matchers.Count == 0) d.Matchers.Add(new MatcherRow());
        d.StartsText = FormatTime(now);
        d.DurationText = PromDuration.Format(duration);
        d.EndsText = FormatTime(now + duration);
        return d;
    }

    /// <summary>
    /// A draft from an existing silence: its matchers and comment. With <paramref name="keepId"/> (editing a pending or
    /// active silence) it keeps the id, start and end, so saving updates it in place when Alertmanager allows; otherwise
    /// (recreating an expired one) it starts at <paramref name="now"/> for the silence's original length.
    /// </summary>
    public static SilenceDraft From(Silence silence, DateTimeOffset now, bool keepId)
    {
        var d = new SilenceDraft();
        foreach (var m in silence.Matchers)
            d.Matchers.Add(new MatcherRow { Name = m.Name, Op = OperatorOf(m.Type), Value = m.Value });
        if (d.Matchers.Count == 0) d.Matchers.Add(new MatcherRow());
        d.Comment = silence.Comment;
        var length = silence.EndsAt - silence.StartsAt;
        if (length <= TimeSpan.Zero) length = TimeSpan.FromHours(2);
        if (keepId)
        {
            d.Id = silence.Id;
            d.OriginalStartsAt = silence.StartsAt;
            d.StartsText = FormatTime(silence.StartsAt);
            d.EndsText = FormatTime(silence.EndsAt);
        }
        else
        {
            d.StartsText = FormatTime(now);
            d.EndsText = FormatTime(now + length);
        }
        d.DurationText = PromDuration.Format(length);
        return d;
    }

    /// <summary>The id of the silence being edited; empty for a new one.</summary>
    public string Id { get; private set; } = "";

    /// <summary>The exact start of the silence being edited, kept while the start text is not changed (the text has whole seconds only).</summary>
    private DateTimeOffset? OriginalStartsAt { get; set; }

    /// <summary>The operator text of a matcher type.</summary>
    public static string OperatorOf(MatchType type) => type switch
    {
        MatchType.Equal => "=",
        MatchType.NotEqual => "!=",
        MatchType.Regex => "=~",
        _ => "!~",
    };

    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a UTC time as the editor writes it; null when it cannot.</summary>
    public static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>Sets the start; the end moves with it so the duration stays.</summary>
    public void SetStarts(string text)
    {
        StartsText = text;
        if (ParseTime(text) is { } s && TryDuration(DurationText, out var d)) EndsText = FormatTime(s + d);
    }

    /// <summary>Sets the duration; the end follows when start and duration parse.</summary>
    public void SetDuration(string text)
    {
        DurationText = text;
        if (ParseTime(StartsText) is { } s && TryDuration(text, out var d)) EndsText = FormatTime(s + d);
    }

    /// <summary>Sets the end; the duration follows when it is after the start.</summary>
    public void SetEnds(string text)
    {
        EndsText = text;
        if (ParseTime(StartsText) is { } s && ParseTime(text) is { } e && e > s) DurationText = PromDuration.Format(e - s);
    }

    private static bool TryDuration(string text, out TimeSpan d)
    {
        d = default;
        if (!PromDuration.TryParse(text.Trim(), out var ms, out _) || ms <= 0) return false;
        d = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    /// <summary>
    /// The matchers that parse, in row order (rows with an empty name and value are skipped); problems of the others go
    /// to <paramref name="errors"/> when given.
    /// </summary>
    public List<Matcher> ParsedMatchers(List<string>? errors = null)
    {
        var result = new List<Matcher>();
        for (int i = 0; i < Matchers.Count; i++)
        {
            var row = Matchers[i];
            var name = row.Name.Trim();
            if (name.Length == 0 && row.Value.Length == 0) continue;
            var where = $"Matcher {i + 1}";
            if (name.Length == 0) { errors?.Add($"{where}: the label name is empty; name the label to match, e.g. alertname"); continue; }
            if (!LabelNames.IsValidUtf8Name(name)) { errors?.Add($"{where}: \"{name}\" is not a valid label name"); continue; }
            var type = row.Op switch
            {
                "=" => MatchType.Equal,
                "!=" => MatchType.NotEqual,
                "=~" => MatchType.Regex,
                "!~" => MatchType.NotRegex,
                _ => (MatchType?)null,
            };
            if (type is null) { errors?.Add($"{where} ({name}): unknown operator \"{row.Op}\"; use =, !=, =~ or !~"); continue; }
            try
            {
                result.Add(new Matcher(type.Value, name, row.Value));
            }
            catch (ArgumentException e)
            {
                errors?.Add($"{where} ({name}{row.Op}\"{row.Value}\"): the regular expression does not compile: {e.Message}");
            }
        }
        return result;
    }

    /// <summary>
    /// Checks the draft as Alertmanager would at <paramref name="now"/> and returns every problem (empty when it may be
    /// saved); <paramref name="silence"/> is the silence to save then, with <paramref name="creator"/> as author.
    /// </summary>
    public IReadOnlyList<string> Validate(DateTimeOffset now, string creator, out Silence? silence)
    {
        silence = null;
        var errors = new List<string>();
        var matchers = ParsedMatchers(errors);
        if (errors.Count == 0)
        {
            if (matchers.Count == 0) errors.Add("Add at least one matcher, e.g. alertname=\"HighLatency\".");
            else if (matchers.TrueForAll(m => m.MatchesEmpty))
                errors.Add("Every matcher also matches an empty label, so the silence would mute every alert; make at least one matcher require a value.");
        }
        var starts = ParseTime(StartsText);
        if (starts is null) errors.Add($"Starts: \"{StartsText}\" is not a time; write it as {TimeFormat} (UTC).");
        var ends = ParseTime(EndsText);
        if (ends is null) errors.Add($"Ends: \"{EndsText}\" is not a time; write it as {TimeFormat} (UTC), or set a duration such as 2h.");
        if (starts is { } s && ends is { } e)
        {
            if (e <= s) errors.Add($"Ends ({EndsText}) is not after starts ({StartsText}); choose a later end or a positive duration.");
            else if (e < now) errors.Add($"Ends ({EndsText}) is in the past; a silence must end in the future.");
        }
        if (string.IsNullOrWhiteSpace(Comment)) errors.Add("Comment: say why the alerts are silenced (e.g. a ticket or a maintenance window).");
        if (errors.Count > 0) return errors;
        var start = starts!.Value;
        if (OriginalStartsAt is { } original && StartsText.Trim() == FormatTime(original)) start = original;
        else if (start < now) start = now;
        silence = new Silence
        {
            Id = Id,
            Matchers = matchers,
            StartsAt = start,
            EndsAt = ends!.Value,
            CreatedBy = creator,
            Comment = Comment.Trim(),
        };
        return errors;
    }

    /// <summary>The label sets of <paramref name="alerts"/> that every parsed matcher matches (Alertmanager's semantics: a missing label is the empty string).</summary>
    public List<Labels> Preview(IEnumerable<Labels> alerts)
    {
        var matchers = ParsedMatchers();
        var result = new List<Labels>();
        if (matchers.Count == 0) return result;
        var probe = new Silence { Matchers = matchers };
        foreach (var a in alerts)
            if (probe.Matches(a)) result.Add(a);
        return result;
    }
}
