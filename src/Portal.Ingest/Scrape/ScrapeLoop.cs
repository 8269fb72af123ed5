using System.Diagnostics;
using System.Net;
using System.Text;
using Portal.Config.Prometheus;
using Portal.Ingest.Relabeling;
using Portal.Ingest.TextParse;
using Portal.Model;

namespace Portal.Ingest.Scrape;

/// <summary>Per-job scrape settings a loop needs, resolved from the <see cref="ScrapeConfig"/>. Immutable.</summary>
public sealed record ScrapeOptions
{
    public bool HonorLabels { get; init; }
    public bool HonorTimestamps { get; init; } = true;
    public bool TrackTimestampsStaleness { get; init; }
    public int SampleLimit { get; init; }
    public int LabelLimit { get; init; }
    public int LabelNameLengthLimit { get; init; }
    public int LabelValueLengthLimit { get; init; }
    public long BodySizeLimit { get; init; }
    public bool LegacyNames { get; init; }
    public string AcceptHeader { get; init; } = ExpositionFormats.AcceptHeader(null);
    public string? FallbackProtocol { get; init; }
    public IReadOnlyList<RelabelConfig>? MetricRelabelConfigs { get; init; }

    public static ScrapeOptions From(ScrapeConfig c) => new()
    {
        HonorLabels = c.HonorLabels,
        HonorTimestamps = c.HonorTimestamps,
        TrackTimestampsStaleness = c.TrackTimestampsStaleness,
        SampleLimit = (int)Math.Min(c.SampleLimit, int.MaxValue),
        LabelLimit = (int)Math.Min(c.LabelLimit, int.MaxValue),
        LabelNameLengthLimit = (int)Math.Min(c.LabelNameLengthLimit, int.MaxValue),
        LabelValueLengthLimit = (int)Math.Min(c.LabelValueLengthLimit, int.MaxValue),
        BodySizeLimit = c.BodySizeLimit.Bytes,
        LegacyNames = c.MetricNameValidationScheme == "legacy",
        AcceptHeader = ExpositionFormats.AcceptHeader(c.ScrapeProtocols, c.MetricNameValidationScheme == "legacy" ? "underscores" : "allow-utf-8"),
        FallbackProtocol = c.FallbackScrapeProtocol,
        MetricRelabelConfigs = c.MetricRelabelConfigs,
    };
}

/// <summary>Fetches one target's payload. Implementations are thread-safe.</summary>
public interface ITargetScraper
{
    /// <summary>Fills <paramref name="buffer"/> with the body and returns the Content-Type. Throws <see cref="ScrapeException"/> with a readable reason on failure.</summary>
    Task<string?> ScrapeAsync(ScrapeTarget target, ScrapeBuffer buffer, TimeSpan timeout, CancellationToken ct);
}

/// <summary>A growable body buffer owned by one scrape loop.</summary>
public sealed class ScrapeBuffer
{
    public byte[] Data = new byte[64 * 1024];
    public int Length;

    public void EnsureSpare(int n)
    {
        if (Data.Length - Length >= n) return;
        Array.Resize(ref Data, Math.Max(Data.Length * 2, Length + n));
    }
}

/// <summary>A failed scrape, with the reason shown for the target.</summary>
public sealed class ScrapeException(string message) : Exception(message);

/// <summary>Scrapes over HTTP with a pool's <see cref="TargetHttpClient"/>, Prometheus's headers and the body size limit.</summary>
public sealed class HttpTargetScraper(TargetHttpClient client, string acceptHeader, long bodySizeLimit) : ITargetScraper
{
    public const string UserAgent = "Portal/1.0 (Prometheus-compatible)";

    public async Task<string?> ScrapeAsync(ScrapeTarget target, ScrapeBuffer buffer, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var req = new HttpRequestMessage(HttpMethod.Get, target.Url);
        req.Headers.TryAddWithoutValidation("Accept", acceptHeader);
        req.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        req.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", TargetBuilder.FormatSeconds(timeout));
        buffer.Length = 0;
        try
        {
            client.Authorize(req);
            using var resp = await client.Client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            int code = (int)resp.StatusCode;
            if (client.FollowRedirects && code is >= 300 and < 400 && resp.Headers.Location is not null)
                throw new ScrapeException($"Get \"{target.Url}\": stopped after {TargetHttpClient.MaxRedirects} redirects");
            if (resp.StatusCode != HttpStatusCode.OK)
                throw new ScrapeException($"server returned HTTP status {code} {resp.ReasonPhrase}");
            await using var stream = await resp.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            long limit = bodySizeLimit > 0 ? bodySizeLimit : long.MaxValue;
            while (true)
            {
                buffer.EnsureSpare(16 * 1024);
                int n = await stream.ReadAsync(buffer.Data.AsMemory(buffer.Length), cts.Token).ConfigureAwait(false);
                if (n == 0) break;
                buffer.Length += n;
                if (buffer.Length > limit)
                    throw new ScrapeException($"body size limit exceeded: the target's response is larger than {limit} bytes");
            }
            // The raw header, as the target sent it (parsing it into a MediaTypeHeaderValue allocates on every scrape).
            return resp.Content.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) ? contentType.ToString() : null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ScrapeException($"Get \"{target.Url}\": context deadline exceeded (scrape timeout {PromDuration.Format(timeout)})");
        }
        catch (HttpRequestException e)
        {
            throw new ScrapeException($"Get \"{target.Url}\": {Describe(e)}");
        }
        catch (InvalidOperationException e)
        {
            throw new ScrapeException(e.Message);
        }
        catch (IOException e)
        {
            throw new ScrapeException($"Get \"{target.Url}\": {e.Message}");
        }
    }

    private static string Describe(Exception e)
    {
        var sb = new StringBuilder(e.Message);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            sb.Append(": ").Append(inner.Message);
        return sb.ToString();
    }
}

/// <summary>Counters of one scrape, as the synthetic series report them.</summary>
public readonly record struct ScrapeReport(bool Up, TimeSpan Duration, int Scraped, int PostRelabeling, int SeriesAdded, int ExemplarsDropped, string? Error);

/// <summary>
/// Scrapes one target on its schedule and appends each scrape as one transaction through <see cref="IAppendable"/>:
/// the samples (target labels applied with honor_labels semantics, metric relabeling, limits), staleness markers for
/// series that disappeared, and the synthetic series <c>up</c>, <c>scrape_duration_seconds</c>,
/// <c>scrape_samples_scraped</c>, <c>scrape_samples_post_metric_relabeling</c>, <c>scrape_series_added</c>.
/// A failed scrape appends none of its samples, only staleness markers and the synthetic series with up=0, and the
/// error is recorded on the target. The loop runs on the thread pool; <see cref="Stop"/> ends it.
/// </summary>
public sealed class ScrapeLoop : IDisposable
{
    private static readonly string[] SyntheticNames =
        ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"];

    private readonly IAppendable _storage;
    private readonly ITargetScraper _scraper;
    private readonly ScrapeOptions _opts;
    private readonly Dictionary<byte[], CacheEntry> _cache = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], CacheEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly StringInterner _strings = new();
    private readonly LabelsBuilder _lb = new();
    private readonly ScrapeBuffer _buffer = new();
    // Reused by every scrape (the loop serializes them), so a steady scrape allocates nothing per sample.
    private readonly List<CacheEntry> _seen = new();
    private readonly List<CacheEntry> _created = new();
    private readonly HashSet<ulong> _seenHashes = new();
    private readonly Labels[] _syntheticLabels;
    private readonly SeriesRef[] _syntheticRefs = new SeriesRef[SyntheticNames.Length];
    private readonly ulong _offsetSeed;
    private readonly SemaphoreSlim _scrapeLock = new(1, 1);
    private readonly TargetMetadataCache _metadata;
    private long _iter;
    private ScrapeTimestampGrid _timestamps;
    private bool _reportedBefore;
    private CancellationTokenSource? _cts;
    private Task? _run;

    /// <summary>When set, scrapes fail with this reason without contacting the target (e.g. target_limit exceeded).</summary>
    internal volatile string? ForcedError;

    /// <param name="inheritFrom">
    /// A stopped loop of the same target whose series memory (cache, staleness state, synthetic series) this loop
    /// continues, so a reload does not lose track of series; its metric relabeling must have been the same.
    /// </param>
    public ScrapeLoop(ScrapeTarget target, IAppendable storage, ITargetScraper scraper, ScrapeOptions options, ulong offsetSeed = 0, ScrapeLoop? inheritFrom = null)
    {
        Target = target;
        _storage = storage;
        _scraper = scraper;
        _opts = options;
        _offsetSeed = offsetSeed;
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<byte>>();
        _syntheticLabels = new Labels[SyntheticNames.Length];
        for (int i = 0; i < SyntheticNames.Length; i++)
            _syntheticLabels[i] = new LabelsBuilder(target.Labels).Set(Labels.MetricName, SyntheticNames[i]).Build();
        _metadata = inheritFrom?._metadata ?? new TargetMetadataCache();
        target.AttachMetadata(_metadata);
        if (inheritFrom is not null)
        {
            foreach (var (k, v) in inheritFrom._cache) _cache[k] = v;
            _iter = inheritFrom._iter;
            _reportedBefore = inheritFrom._reportedBefore;
            Array.Copy(inheritFrom._syntheticRefs, _syntheticRefs, _syntheticRefs.Length);
        }
    }

    public ScrapeTarget Target { get; }

    /// <summary>Series the loop currently tracks (for tests and diagnostics).</summary>
    public int CachedSeries => _cache.Count;

    /// <summary>Starts scraping in the background at the target's hash-based offset within the interval.</summary>
    public void Start()
    {
        if (_run is not null) return;
        _cts = new CancellationTokenSource();
        _run = Task.Run(() => RunAsync(_cts.Token));
    }

    /// <summary>
    /// The delay before the first scrape: Prometheus's offset, so that scrapes of a target land at the same point of
    /// each interval across restarts and targets spread evenly instead of all firing at once.
    /// </summary>
    public static TimeSpan Offset(TimeSpan interval, ulong targetHash, ulong seed, long nowTicks)
    {
        long iv = interval.Ticks;
        long baseDelay = iv - nowTicks % iv;
        long offset = (long)((targetHash ^ seed) % (ulong)iv);
        long next = baseDelay + offset;
        if (next > iv) next -= iv;
        return TimeSpan.FromTicks(next);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var interval = Target.Interval;
        try
        {
            await Task.Delay(Offset(interval, Target.Hash, _offsetSeed, DateTime.UtcNow.Ticks), ct).ConfigureAwait(false);
            var next = DateTime.UtcNow;
            while (!ct.IsCancellationRequested)
            {
                await ScrapeAndReportAsync(ct).ConfigureAwait(false);
                next += interval;
                var now = DateTime.UtcNow;
                while (next <= now) next += interval;
                await Task.Delay(next - now, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Scrapes once now and appends the result (used by the loop, and by tests to drive it deterministically).</summary>
    public async Task<ScrapeReport> ScrapeAndReportAsync(CancellationToken ct = default)
    {
        await _scrapeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var start = DateTimeOffset.UtcNow;
            long appendTime = AlignTimestamp(start.ToUnixTimeMilliseconds());
            var sw = Stopwatch.StartNew();
            string? error = ForcedError;
            string? contentType = null;
            if (error is null)
            {
                try
                {
                    contentType = await _scraper.ScrapeAsync(Target, _buffer, Target.Timeout, ct).ConfigureAwait(false);
                }
                catch (ScrapeException e)
                {
                    error = e.Message;
                }
            }
            else _buffer.Length = 0;
            sw.Stop();
            // A scrape cut short because the loop is stopping (reload, shutdown) is not a failed scrape: it must not
            // record up=0 or staleness markers for series the replacing loop goes on scraping.
            ct.ThrowIfCancellationRequested();
            return AppendScrape(error is null ? _buffer.Data : [], error is null ? _buffer.Length : 0, contentType, appendTime, sw.Elapsed, error, start);
        }
        finally
        {
            _scrapeLock.Release();
        }
    }

    private long AlignTimestamp(long now) => _timestamps.Align(now, (long)Target.Interval.TotalMilliseconds);

    /// <summary>
    /// Parses a fetched body and appends it as one transaction, with staleness markers and the synthetic series.
    /// <paramref name="scrapeError"/> non-null means the fetch failed. Not thread-safe (the loop serializes calls).
    /// </summary>
    internal ScrapeReport AppendScrape(byte[] body, int length, string? contentType, long appendTime, TimeSpan duration, string? scrapeError, DateTimeOffset started)
    {
        long iter = ++_iter;
        var app = _storage.Appender();
        int scraped = 0, added = 0, seriesAdded = 0, exemplars = 0;
        string? error = scrapeError;
        var seen = _seen;
        var created = _created;
        seen.Clear();
        created.Clear();
        if (error is null)
        {
            try
            {
                AppendSamples(app, body, length, contentType, appendTime, seen, created);
            }
            catch (ScrapeException e)
            {
                error = e.Message;
            }
            catch (ExpositionParseException e)
            {
                error = $"parse error at line {e.Line}, column {e.Column}: {e.Reason}";
            }
            catch (NotSupportedException e)
            {
                error = e.Message;
            }
            (scraped, added, seriesAdded, exemplars) = (_scraped, _added, _seriesAdded, _exemplars);
            if (error is not null)
            {
                // Nothing of a failed scrape is kept: start over with an empty transaction.
                app.Rollback();
                foreach (var c in created) _cache.Remove(c.Key);
                foreach (var c in seen) c.Ref = SeriesRef.None;
                seen.Clear();
                added = 0;
                seriesAdded = 0;
                app = _storage.Appender();
            }
        }
        try
        {
            foreach (var e in seen) e.LastSeen = iter;
            AppendStaleMarkers(app, iter, appendTime, seen);
            var report = new ScrapeReport(error is null, duration, scraped, added, seriesAdded, exemplars, error);
            AppendReport(app, appendTime, report);
            app.Commit();
            _metadata.ScrapeDone(iter, error is null);
            Target.Report(new TargetState(error is null ? TargetHealth.Up : TargetHealth.Down, started, duration, error, scraped));
            if (iter % 10 == 0) EvictOld(iter);
            return report;
        }
        catch (Exception e) when (e is AppendException or IOException or InvalidOperationException)
        {
            app.Rollback();
            var msg = $"appending the scrape failed: {e.Message}";
            Target.Report(new TargetState(TargetHealth.Down, started, duration, error ?? msg, scraped));
            return new ScrapeReport(false, duration, scraped, 0, 0, exemplars, error ?? msg);
        }
    }

    private int _scraped, _added, _seriesAdded, _exemplars;

    private void AppendSamples(IAppender app, byte[] body, int length, string? contentType, long defTime, List<CacheEntry> seen, List<CacheEntry> created)
    {
        _scraped = _added = _seriesAdded = _exemplars = 0;
        var format = ExpositionFormats.ForContentType(contentType, _opts.FallbackProtocol, out var ctError);
        if (format is null) throw new ScrapeException(ctError!);
        var p = ExpositionFormats.CreateParser(format.Value, body, length, _strings);
        var targetLabels = Target.Labels;
        while (true)
        {
            var e = p.Next();
            if (e == Entry.Eof) break;
            if (e != Entry.Series)
            {
                if (e is Entry.Type or Entry.Help or Entry.Unit) _metadata.Observe(p, e, _iter);
                continue;
            }
            _scraped++;
            if (p.HasExemplar) _exemplars++;
            bool isNew = false;
            if (!_lookup.TryGetValue(p.SeriesBytes, out var entry))
            {
                isNew = true;
                if (p.HasDuplicateLabelNames(out var dup)) throw new ScrapeException($"label name \"{dup}\" is not unique: invalid sample");
                p.Labels(_lb);
                MutateSampleLabels(_lb, targetLabels);
                var lset = _lb.Build();
                if (_opts.MetricRelabelConfigs is { Count: > 0 } mrc) lset = Relabeler.Process(lset, mrc);
                if (lset is not null && lset.Count > 0)
                {
                    if (lset.MetricNameValue.Length == 0) throw new ScrapeException("__name__ label is missing after relabeling");
                    if (!NamesValid(lset)) throw new ScrapeException($"invalid metric name or label names: {lset}");
                    CheckLabelLimits(lset);
                }
                else lset = null;
                entry = new CacheEntry(p.SeriesBytes.ToArray(), lset);
                _cache[entry.Key] = entry;
                created.Add(entry);
                if (lset is not null) _seriesAdded++;
            }
            if (entry.Labels is null)
            {
                entry.LastSeen = _iter;
                continue;
            }
            _added++;
            if (_opts.SampleLimit > 0 && _added > _opts.SampleLimit)
                throw new ScrapeException($"sample limit exceeded (limit: {_opts.SampleLimit})");
            bool explicitTs = _opts.HonorTimestamps && p.HasTimestamp;
            long t = explicitTs ? p.Timestamp : defTime;
            try
            {
                entry.Ref = app.Append(entry.Ref, entry.Labels, t, p.Value);
                // A new entry's ref came from a lookup by labels, so the storage's label set equals ours.
                if (isNew && app.StoredLabels(entry.Ref) is { } stored) entry.Labels = stored;
            }
            catch (AppendException ae) when (ae.Error is AppendError.OutOfOrderSample or AppendError.DuplicateSampleForTimestamp or AppendError.OutOfBounds or AppendError.TooOldSample)
            {
                // Like Prometheus: such samples are skipped and the scrape goes on.
            }
            catch (AppendException ae)
            {
                throw new ScrapeException($"{ae.Message} (series {entry.Labels})");
            }
            entry.ExplicitTimestamp = explicitTs;
            seen.Add(entry);
        }
    }

    private bool NamesValid(Labels lset)
    {
        foreach (var l in lset.AsSpan())
        {
            bool ok = _opts.LegacyNames
                ? (l.Name == Labels.MetricName ? LabelNames.IsLegacyMetricName(l.Value) : LabelNames.IsLegacyLabelName(l.Name))
                : LabelNames.IsValidUtf8Name(l.Name);
            if (!ok) return false;
        }
        return true;
    }

    private void CheckLabelLimits(Labels lset)
    {
        var metric = Truncate(lset.MetricNameValue);
        if (_opts.LabelLimit > 0 && lset.Count > _opts.LabelLimit)
            throw new ScrapeException($"label_limit exceeded (metric: {metric}, number of labels: {lset.Count}, limit: {_opts.LabelLimit})");
        foreach (var l in lset.AsSpan())
        {
            if (_opts.LabelNameLengthLimit > 0 && l.Name.Length > _opts.LabelNameLengthLimit)
                throw new ScrapeException($"label_name_length_limit exceeded (metric: {metric}, label name: {Truncate(l.Name)}, length: {l.Name.Length}, limit: {_opts.LabelNameLengthLimit})");
            if (_opts.LabelValueLengthLimit > 0 && l.Value.Length > _opts.LabelValueLengthLimit)
                throw new ScrapeException($"label_value_length_limit exceeded (metric: {metric}, label name: {Truncate(l.Name)}, value: \"{Truncate(l.Value)}\", length: {l.Value.Length}, limit: {_opts.LabelValueLengthLimit})");
        }
    }

    private static string Truncate(string s) => s.Length <= 50 ? s : s[..50];

    /// <summary>
    /// Adds the target's labels to a sample's. With honor_labels the sample's own values win; otherwise the target's
    /// win and clashing sample labels are kept as <c>exported_&lt;name&gt;</c>.
    /// </summary>
    private void MutateSampleLabels(LabelsBuilder lb, Labels targetLabels)
    {
        foreach (var l in targetLabels.AsSpan())
        {
            var existing = lb.Get(l.Name);
            if (_opts.HonorLabels)
            {
                if (existing.Length == 0) lb.Set(l.Name, l.Value);
                continue;
            }
            if (existing.Length > 0)
            {
                var name = "exported_" + l.Name;
                while (lb.Get(name).Length > 0) name = "exported_" + name;
                lb.Set(name, existing);
            }
            lb.Set(l.Name, l.Value);
        }
    }

    /// <summary>
    /// Marks stale the series seen in the previous scrape but not in this one (<paramref name="seen"/>), unless a
    /// series with the same labels was seen under another spelling.
    /// </summary>
    private void AppendStaleMarkers(IAppender app, long iter, long t, List<CacheEntry> seen)
    {
        bool hashed = false;
        foreach (var e in _cache.Values)
        {
            if (e.Labels is null || e.LastSeen != iter - 1) continue;
            if (e.ExplicitTimestamp && !_opts.TrackTimestampsStaleness) continue;
            if (!hashed)
            {
                // Built only when some series went missing, which a steady target never does.
                _seenHashes.Clear();
                foreach (var s in seen) _seenHashes.Add(s.Labels!.Hash);
                hashed = true;
            }
            if (_seenHashes.Contains(e.Labels.Hash)) continue;
            TryAppend(app, ref e.Ref, e.Labels, t, SampleValue.StaleNaN);
        }
    }

    private void AppendReport(IAppender app, long t, ScrapeReport r)
    {
        double[] values = [r.Up ? 1 : 0, r.Duration.TotalSeconds, r.Scraped, r.PostRelabeling, r.SeriesAdded];
        for (int i = 0; i < values.Length; i++) TryAppend(app, ref _syntheticRefs[i], _syntheticLabels[i], t, values[i]);
        _reportedBefore = true;
    }

    private static void TryAppend(IAppender app, ref SeriesRef r, Labels l, long t, double v)
    {
        try
        {
            r = app.Append(r, l, t, v);
        }
        catch (AppendException ae) when (ae.Error is AppendError.OutOfOrderSample or AppendError.DuplicateSampleForTimestamp or AppendError.OutOfBounds or AppendError.TooOldSample)
        {
        }
    }

    private void EvictOld(long iter)
    {
        List<byte[]>? old = null;
        foreach (var (k, e) in _cache)
            if (e.LastSeen < iter - 10)
                (old ??= []).Add(k);
        if (old is null) return;
        foreach (var k in old) _cache.Remove(k);
    }

    /// <summary>
    /// Stops the loop. With <paramref name="writeStaleMarkers"/> (the target went away), the series of the last
    /// scrape and the synthetic series get staleness markers; on shutdown or reload they do not.
    /// </summary>
    public async Task StopAsync(bool writeStaleMarkers)
    {
        if (_cts is not null)
        {
            await _cts.CancelAsync().ConfigureAwait(false);
            try
            {
                if (_run is not null) await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (!writeStaleMarkers || !_reportedBefore) return;
        await _scrapeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            long t = Timestamp.Now();
            long iter = ++_iter;
            var app = _storage.Appender();
            _seen.Clear();
            AppendStaleMarkers(app, iter, t, _seen);
            for (int i = 0; i < _syntheticLabels.Length; i++) TryAppend(app, ref _syntheticRefs[i], _syntheticLabels[i], t, SampleValue.StaleNaN);
            app.Commit();
            _reportedBefore = false;
        }
        catch (Exception e) when (e is AppendException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            _scrapeLock.Release();
        }
    }

    public void Dispose()
    {
        _cts?.Cancel();
        _cts?.Dispose();
    }
}

/// <summary>
/// Prometheus's scrape timestamp alignment: a grid starts at the first scrape and advances by the interval (so one
/// late scrape does not shift the later ones), and a scrape that starts within the tolerance of its grid point gets
/// that point's time. Regular timestamps cost the chunk encoding 1 bit each instead of 16 or more. Not thread-safe
/// (one per scrape loop).
/// </summary>
internal struct ScrapeTimestampGrid
{
    /// <summary>
    /// The largest correction, at most 1 % of the interval. Prometheus uses 2 ms (--scrape.timestamp-tolerance); .NET
    /// timers and thread-pool dispatch wake scrapes a few milliseconds late often enough that 2 ms would leave many
    /// timestamps irregular.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(25);

    private long _pointMs;

    /// <summary>The timestamp for a scrape starting at <paramref name="nowMs"/>.</summary>
    public long Align(long nowMs, long intervalMs)
    {
        long tolerance = Math.Min(intervalMs / 100, (long)Tolerance.TotalMilliseconds);
        if (_pointMs == 0 || intervalMs <= 0)
        {
            _pointMs = nowMs;
            return nowMs;
        }
        if (nowMs - _pointMs >= intervalMs - tolerance)
            _pointMs += Math.Max(1, (nowMs - _pointMs + tolerance) / intervalMs) * intervalMs;
        return Math.Abs(nowMs - _pointMs) <= tolerance ? _pointMs : nowMs;
    }
}
