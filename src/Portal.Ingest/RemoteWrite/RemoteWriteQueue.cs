using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Portal.Config.Prometheus;
using Portal.Config.Relabeling;
using Portal.Ingest.Scrape;
using Portal.Model;
using Prom = Portal.Ingest.Protos.Prom;

namespace Portal.Ingest.RemoteWrite;

/// <summary>Counters of one remote write queue. Thread-safe.</summary>
public sealed class RemoteWriteQueueMetrics
{
    internal long Sent, Failed, Retried, Pending, Batches, HighestEnqueued, HighestSent;

    /// <summary>Samples the endpoint accepted.</summary>
    public long SamplesSent => Interlocked.Read(ref Sent);

    /// <summary>Samples given up on: refused by the endpoint (4xx) or still failing when the queue stopped.</summary>
    public long SamplesFailed => Interlocked.Read(ref Failed);

    /// <summary>Samples read from the WAL but never queued, their series no longer in storage (the reader's <see cref="ICommittedSampleReader.Skipped"/>).</summary>
    public long SamplesDropped => Source?.Skipped ?? 0;

    /// <summary>Bytes of WAL written but not yet read by the queue (it holds back while its shards are full).</summary>
    public long WalUnreadBytes => Source?.UnreadBytes ?? 0;

    /// <summary>The WAL reader the queue follows (see <see cref="RemoteWriteQueue.Start"/>); null before it starts.</summary>
    internal ICommittedSampleReader? Source;

    /// <summary>Samples sent again after a retryable failure (5xx, 429 when allowed, network errors).</summary>
    public long SamplesRetried => Interlocked.Read(ref Retried);

    /// <summary>Samples queued but not yet sent.</summary>
    public long SamplesPending => Interlocked.Read(ref Pending);

    /// <summary>Timestamp (ms) of the newest sample the endpoint accepted; 0 before the first.</summary>
    public long HighestSentTimestampMs => Interlocked.Read(ref HighestSent);

    /// <summary>Requests the endpoint accepted.</summary>
    public long BatchesSent => Interlocked.Read(ref Batches);

    /// <summary>Seconds between the newest queued sample and the newest sent sample (0 when caught up).</summary>
    public double LagSeconds
    {
        get
        {
            long e = Interlocked.Read(ref HighestEnqueued), s = Interlocked.Read(ref HighestSent);
            return e <= s || s == 0 ? (e > 0 && s == 0 && SamplesPending > 0 ? (Timestamp.Now() - e) / 1000.0 : 0) : (e - s) / 1000.0;
        }
    }

    internal static void Max(ref long field, long value)
    {
        long cur;
        while (value > (cur = Interlocked.Read(ref field)))
            if (Interlocked.CompareExchange(ref field, value, cur) == cur) return;
    }
}

/// <summary>
/// Sends samples to one <c>remote_write</c> endpoint as Prometheus does: it follows the tenant's WAL (see
/// <see cref="Start"/>) from when it starts, so a slow or unreachable endpoint holds the reader back (up to the
/// WAL's truncation) instead of losing samples; global external labels are added,
/// <c>write_relabel_configs</c> applied, samples spread over shards by series (so each series stays in order),
/// each shard batching up to <c>max_samples_per_send</c> or for <c>batch_send_deadline</c>, and sending
/// snappy-compressed <c>prometheus.WriteRequest</c> messages (remote write 1.0). 5xx answers and network errors
/// are retried with exponential backoff between <c>min_backoff</c> and <c>max_backoff</c>; 429 only with
/// <c>retry_on_http_429</c> (honouring Retry-After); other 4xx answers drop the batch. Thread-safe;
/// <see cref="DisposeAsync"/> stops the shards after a short attempt to flush.
/// </summary>
public sealed class RemoteWriteQueue : IAsyncDisposable
{
    private readonly RemoteWriteConfig _cfg;
    private readonly QueueConfig _queue;
    private readonly Uri _url;
    private readonly TargetHttpClient _http;
    private readonly Labels _external;
    private readonly IReadOnlyList<RelabelConfig> _relabel;
    private readonly Action<string>? _log;
    private readonly Channel<CommittedSample>[] _shards;
    private readonly Task[] _loops;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopFollowing = new();
    private Task? _follower;
    private readonly ConcurrentDictionary<Labels, Labels?> _relabelCache = new();
    private const int RelabelCacheLimit = 200_000;

    public string Name { get; }

    /// <summary>The endpoint without credentials or query: scheme, host, port and path.</summary>
    public string Url => _url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    public RemoteWriteQueueMetrics Metrics { get; } = new();

    /// <param name="externalLabels">The global external_labels, added to every series that lacks them.</param>
    /// <param name="log">Receives a line for each batch the endpoint refused.</param>
    public RemoteWriteQueue(RemoteWriteConfig cfg, IReadOnlyDictionary<string, string>? externalLabels = null, Action<string>? log = null,
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        _cfg = cfg;
        _queue = cfg.QueueConfig ?? new QueueConfig();
        _url = new Uri(cfg.Url ?? throw new ArgumentException("remote_write url is empty", nameof(cfg)));
        Name = string.IsNullOrEmpty(cfg.Name) ? _url.GetLeftPart(UriPartial.Path) : cfg.Name;
        _http = TargetHttpClient.Create(cfg.HttpClientConfig, enableCompression: false, connect);
        _http.Client.Timeout = cfg.RemoteTimeout.Milliseconds > 0 ? cfg.RemoteTimeout.ToTimeSpan() : TimeSpan.FromSeconds(30);
        var b = new LabelsBuilder();
        if (externalLabels is not null) foreach (var (k, v) in externalLabels) b.Set(k, v);
        _external = b.Build();
        _relabel = cfg.WriteRelabelConfigs ?? [];
        _log = log;
        int shards = Math.Clamp(Math.Max(_queue.MinShards, 4), 1, Math.Max(1, _queue.MaxShards));
        _shards = new Channel<CommittedSample>[shards];
        _loops = new Task[shards];
        for (int i = 0; i < shards; i++)
        {
            _shards[i] = Channel.CreateBounded<CommittedSample>(new BoundedChannelOptions(Math.Max(1, _queue.Capacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            var reader = _shards[i].Reader;
            _loops[i] = Task.Run(() => RunShardAsync(reader));
        }
    }

    /// <summary>
    /// Starts following <paramref name="source"/> (a reader of the tenant's WAL, owned by the queue from now on):
    /// every committed sample it returns is relabeled, given the external labels and queued on its series' shard,
    /// waiting while that shard is full. Call once.
    /// </summary>
    public void Start(ICommittedSampleReader source)
    {
        if (_follower is not null) throw new InvalidOperationException("the queue already follows a WAL");
        Metrics.Source = source;
        _follower = Task.Run(() => FollowAsync(source, _stopFollowing.Token));
    }

    /// <summary>How long a reader that caught up with the WAL waits before looking again.</summary>
    internal static readonly TimeSpan WalPollInterval = TimeSpan.FromMilliseconds(100);

    private async Task FollowAsync(ICommittedSampleReader source, CancellationToken ct)
    {
        var read = new List<CommittedSample>(4096);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                read.Clear();
                int n;
                try
                {
                    n = source.Read(read, 4096);
                }
                catch (IOException e)
                {
                    _log?.Invoke($"remote write to {Name}: reading the WAL failed ({e.Message}); retrying");
                    n = 0;
                }
                if (n == 0)
                {
                    await Task.Delay(WalPollInterval, ct);
                    continue;
                }
                foreach (var s in read)
                {
                    var labels = Prepare(s.Labels);
                    if (labels is null) continue;
                    var writer = _shards[(int)(labels.Hash % (ulong)_shards.Length)].Writer;
                    var item = new CommittedSample(labels, s.T, s.V);
                    Interlocked.Increment(ref Metrics.Pending);
                    RemoteWriteQueueMetrics.Max(ref Metrics.HighestEnqueued, s.T);
                    if (writer.TryWrite(item)) continue;
                    try
                    {
                        await writer.WriteAsync(item, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Decrement(ref Metrics.Pending);
                        throw;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private Labels? Prepare(Labels labels)
    {
        if (_external.Count == 0 && _relabel.Count == 0) return labels;
        if (_relabelCache.TryGetValue(labels, out var cached)) return cached;
        Labels? result = labels;
        if (_external.Count > 0)
        {
            var b = new LabelsBuilder(labels);
            foreach (var l in _external)
                if (!labels.Has(l.Name)) b.Set(l.Name, l.Value);
            result = b.Build();
        }
        if (_relabel.Count > 0) result = Relabeler.Process(result, _relabel);
        if (_relabelCache.Count >= RelabelCacheLimit) _relabelCache.Clear();
        _relabelCache[labels] = result;
        return result;
    }

    private async Task RunShardAsync(ChannelReader<CommittedSample> reader)
    {
        int max = Math.Max(1, _queue.MaxSamplesPerSend);
        var deadline = _queue.BatchSendDeadline.Milliseconds > 0 ? _queue.BatchSendDeadline.ToTimeSpan() : TimeSpan.FromSeconds(5);
        var batch = new List<CommittedSample>(max);
        var ct = _stop.Token;
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
                window.CancelAfter(deadline);
                try
                {
                    while (batch.Count < max)
                    {
                        while (batch.Count < max && reader.TryRead(out var s)) batch.Add(s);
                        if (batch.Count >= max) break;
                        if (!await reader.WaitToReadAsync(window.Token)) break;
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
                if (batch.Count > 0) await SendAsync(batch, ct);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        if (batch.Count > 0) Fail(batch.Count);
        while (reader.TryRead(out _)) Fail(1);
    }

    private void Fail(int n)
    {
        Interlocked.Add(ref Metrics.Failed, n);
        Interlocked.Add(ref Metrics.Pending, -n);
    }

    /// <summary>Encodes one batch as a snappy-compressed WriteRequest, grouping samples of the same series.</summary>
    internal static byte[] Encode(IReadOnlyList<CommittedSample> batch)
    {
        var req = new Prom.WriteRequest();
        var bySeries = new Dictionary<Labels, Prom.TimeSeries>();
        foreach (var s in batch)
        {
            if (!bySeries.TryGetValue(s.Labels, out var ts))
            {
                ts = new Prom.TimeSeries();
                foreach (var l in s.Labels) ts.Labels.Add(new Prom.Label { Name = l.Name, Value = l.Value });
                bySeries[s.Labels] = ts;
                req.Timeseries.Add(ts);
            }
            ts.Samples.Add(new Prom.Sample { Timestamp = s.T, Value = s.V });
        }
        return SnappyBlock.Encode(req.ToByteArray());
    }

    private async Task SendAsync(List<CommittedSample> batch, CancellationToken ct)
    {
        var body = Encode(batch);
        long newest = 0;
        foreach (var s in batch) newest = Math.Max(newest, s.T);
        var backoff = _queue.MinBackoff.Milliseconds > 0 ? _queue.MinBackoff.ToTimeSpan() : TimeSpan.FromMilliseconds(30);
        var maxBackoff = _queue.MaxBackoff.Milliseconds > 0 ? _queue.MaxBackoff.ToTimeSpan() : TimeSpan.FromSeconds(5);
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0) Interlocked.Add(ref Metrics.Retried, batch.Count);
            TimeSpan? wait = null;
            try
            {
                using var msg = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
                msg.Content.Headers.TryAddWithoutValidation("Content-Type", RemoteWriteReceiver.ContentTypeV1);
                msg.Content.Headers.ContentEncoding.Add("snappy");
                msg.Headers.TryAddWithoutValidation(RemoteWriteReceiver.HeaderVersion, "0.1.0");
                msg.Headers.TryAddWithoutValidation("User-Agent", "Portal-remote-write/1.0");
                if (_cfg.Headers is not null)
                    foreach (var (k, v) in _cfg.Headers) msg.Headers.TryAddWithoutValidation(k, v);
                _http.Authorize(msg);
                using var resp = await _http.Client.SendAsync(msg, ct);
                if (resp.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref Metrics.Sent, batch.Count);
                    Interlocked.Add(ref Metrics.Pending, -batch.Count);
                    Interlocked.Increment(ref Metrics.Batches);
                    RemoteWriteQueueMetrics.Max(ref Metrics.HighestSent, newest);
                    return;
                }
                var text = await resp.Content.ReadAsStringAsync(ct);
                var problem = $"{(int)resp.StatusCode} {text.Trim()}";
                bool retry = (int)resp.StatusCode >= 500 || (resp.StatusCode == HttpStatusCode.TooManyRequests && _queue.RetryOnHttp429);
                if (!retry)
                {
                    _log?.Invoke($"remote write to {Name} refused a batch of {batch.Count} samples: {problem}");
                    Fail(batch.Count);
                    return;
                }
                if (resp.Headers.RetryAfter?.Delta is { } ra) wait = ra;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(wait ?? backoff, ct);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
        }
    }

    /// <summary>Stops following the WAL, gives the shards up to <paramref name="flushFor"/> to send what they hold, then stops them.</summary>
    public async ValueTask DisposeAsync(TimeSpan flushFor)
    {
        _stopFollowing.Cancel();
        if (_follower is not null) await _follower;
        Metrics.Source?.Dispose();
        _stopFollowing.Dispose();
        foreach (var s in _shards) s.Writer.TryComplete();
        var all = Task.WhenAll(_loops);
        if (await Task.WhenAny(all, Task.Delay(flushFor)) != all) _stop.Cancel();
        try
        {
            await all;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _http.Dispose();
    }

    public ValueTask DisposeAsync() => DisposeAsync(TimeSpan.FromSeconds(1));
}
