namespace Portal.Model;

/// <summary>An opaque reference to a series inside one storage; 0 means "unknown, look it up by labels".</summary>
public readonly record struct SeriesRef(ulong Value)
{
    public static readonly SeriesRef None = default;
    public bool IsNone => Value == 0;
}

/// <summary>A committed sample with its series' labels, as read back from storage's log.</summary>
public readonly record struct CommittedSample(Labels Labels, long T, double V);

/// <summary>
/// Storage whose committed samples can be read back in commit order from its write-ahead log, for shipping them
/// elsewhere (remote write). Thread-safe.
/// </summary>
public interface ICommittedSampleLog
{
    /// <summary>
    /// Opens a reader of the samples committed after this call. Readers are independent; each must be disposed and
    /// is used from one thread at a time.
    /// </summary>
    ICommittedSampleReader OpenReader();
}

/// <summary>
/// A position in a <see cref="ICommittedSampleLog"/> that only moves forward. Samples of rolled-back transactions are
/// never returned. A reader that falls behind the log's truncation (the log keeps roughly the head's time range)
/// moves on past what was truncated.
/// </summary>
public interface ICommittedSampleReader : IDisposable
{
    /// <summary>
    /// Adds to <paramref name="into"/> the next committed samples in commit order, roughly <paramref name="max"/> or
    /// fewer (whole log records), and moves past them. Returns how many were added: 0 when nothing new is committed.
    /// </summary>
    int Read(List<CommittedSample> into, int max);

    /// <summary>Bytes of log written but not yet read (how far behind the reader is).</summary>
    long UnreadBytes { get; }

    /// <summary>Samples read but passed over because storage no longer holds their series.</summary>
    long Skipped { get; }
}

/// <summary>Something samples can be appended to. Thread-safe: each caller takes its own appender.</summary>
public interface IAppendable
{
    /// <summary>Starts a new append transaction.</summary>
    IAppender Appender();
}

/// <summary>
/// One append transaction. Not thread-safe: use from one thread. Must be completed with exactly
/// one call to <see cref="Commit"/> or <see cref="Rollback"/>; after either it must not be used.
/// Samples become visible to queriers and durable at <see cref="Commit"/>, all together.
/// </summary>
public interface IAppender
{
    /// <summary>
    /// Adds a float sample. <paramref name="seriesRef"/> may be a ref returned by an earlier call
    /// for the same labels (a hint; storage checks it), or <see cref="SeriesRef.None"/>.
    /// Returns the series' ref. Throws <see cref="AppendException"/> for invalid labels or a sample
    /// storage refuses (out of order, duplicate timestamp with another value, too old, limits);
    /// earlier samples of the transaction are unaffected by a refused one.
    /// </summary>
    SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v);

    /// <summary>
    /// The label set storage holds for <paramref name="seriesRef"/>, a ref this appender just returned, or null when
    /// it keeps none to share. Callers that remember label sets between transactions (the series caches of scraping
    /// and remote write) keep this instance instead of their own, so each series' labels are held once.
    /// </summary>
    Labels? StoredLabels(SeriesRef seriesRef) => null;

    /// <summary>Makes every accepted sample durable (in the WAL) and visible, then ends the transaction.</summary>
    void Commit();

    /// <summary>Discards every sample of the transaction.</summary>
    void Rollback();
}

/// <summary>Why storage refused a sample. The names follow Prometheus's append errors.</summary>
public enum AppendError
{
    OutOfOrderSample,
    DuplicateSampleForTimestamp,
    TooOldSample,
    OutOfBounds,
    InvalidLabels,
    TooManySeries,
    TooManyLabels,
    RateLimited,
}

/// <summary>A refused sample: the reason and the series it concerns.</summary>
public sealed class AppendException(AppendError error, string message, Labels? series = null) : Exception(message)
{
    public AppendError Error { get; } = error;
    public Labels? Series { get; } = series;
}

/// <summary>Something that hands out queriers over a time range. Thread-safe.</summary>
public interface IQueryable
{
    /// <summary>A querier over samples with <paramref name="mint"/> ≤ t ≤ <paramref name="maxt"/> (milliseconds, inclusive).</summary>
    IQuerier Querier(long mint, long maxt);
}

/// <summary>
/// Reads series over a fixed time range. Not thread-safe. The series sets and iterators it returns
/// are valid until it is disposed; the <see cref="Labels"/> they return stay valid after.
/// </summary>
public interface IQuerier : IDisposable
{
    /// <summary>
    /// The series matching all <paramref name="matchers"/> (at least one of which must not match the
    /// empty string), sorted by labels when <paramref name="sortSeries"/> is true.
    /// </summary>
    ISeriesSet Select(bool sortSeries, SelectHints? hints, params Matcher[] matchers);

    /// <summary>Sorted distinct values of <paramref name="name"/> among series matching <paramref name="matchers"/> (all series when none).</summary>
    IReadOnlyList<string> LabelValues(string name, params Matcher[] matchers);

    /// <summary>Sorted distinct label names among series matching <paramref name="matchers"/> (all series when none).</summary>
    IReadOnlyList<string> LabelNames(params Matcher[] matchers);
}

/// <summary>What a query intends, so storage may skip work. Times are milliseconds; 0 means unknown.</summary>
public sealed record SelectHints
{
    public long Start { get; init; }
    public long End { get; init; }
    public long Step { get; init; }
    public long Range { get; init; }
    public string? Func { get; init; }
    public IReadOnlyList<string>? Grouping { get; init; }
    public bool By { get; init; }
}

/// <summary>A forward-only set of series. Not thread-safe.</summary>
public interface ISeriesSet
{
    bool MoveNext();
    ISeries Current { get; }

    /// <summary>Set when iteration stopped because of an error rather than the end.</summary>
    Exception? Error { get; }

    IReadOnlyList<string> Warnings { get; }
}

/// <summary>One series: its labels and its samples in the querier's range.</summary>
public interface ISeries
{
    Labels Labels { get; }

    /// <summary>An iterator over the samples; <paramref name="reuse"/> may be recycled by the implementation.</summary>
    ISampleIterator Iterator(ISampleIterator? reuse = null);
}

/// <summary>A forward-only iterator over one series' samples in time order. Not thread-safe.</summary>
public interface ISampleIterator
{
    /// <summary>Advances; returns the kind of the new sample or <see cref="ValueKind.None"/> at the end.</summary>
    ValueKind Next();

    /// <summary>Advances to the first sample with timestamp ≥ <paramref name="t"/> (never backwards).</summary>
    ValueKind Seek(long t);

    /// <summary>The current float sample.</summary>
    Sample At();

    /// <summary>The current sample's timestamp, for any kind.</summary>
    long AtT();

    Exception? Error { get; }
}

/// <summary>A series set over series held in memory, for tests and small results.</summary>
public sealed class ListSeriesSet(IReadOnlyList<ISeries> series) : ISeriesSet
{
    private int _i = -1;

    public static readonly ListSeriesSet Empty = new([]);

    public bool MoveNext() => ++_i < series.Count;
    public ISeries Current => series[_i];
    public Exception? Error => null;
    public IReadOnlyList<string> Warnings => [];
}

/// <summary>A series whose samples are an in-memory array, for tests and computed results.</summary>
public sealed class ListSeries(Labels labels, IReadOnlyList<Sample> samples) : ISeries
{
    public Labels Labels { get; } = labels;
    public IReadOnlyList<Sample> Samples { get; } = samples;

    public ISampleIterator Iterator(ISampleIterator? reuse = null) => new ListSampleIterator(Samples);
}

/// <summary>Iterates an in-memory sample list.</summary>
public sealed class ListSampleIterator(IReadOnlyList<Sample> samples) : ISampleIterator
{
    private int _i = -1;

    public ValueKind Next() => ++_i < samples.Count ? ValueKind.Float : ValueKind.None;

    public ValueKind Seek(long t)
    {
        if (_i < 0) _i = 0;
        while (_i < samples.Count && samples[_i].T < t) _i++;
        return _i < samples.Count ? ValueKind.Float : ValueKind.None;
    }

    public Sample At() => samples[_i];
    public long AtT() => samples[_i].T;
    public Exception? Error => null;
}
