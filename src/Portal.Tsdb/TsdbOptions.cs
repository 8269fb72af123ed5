namespace Portal.Tsdb;

/// <summary>Settings of one <see cref="TsdbDatabase"/>. Times are milliseconds.</summary>
public sealed class TsdbOptions
{
    /// <summary>Blocks whose end is older than the newest block's end by more than this are deleted. Default 15 days; 0 disables.</summary>
    public long RetentionMs { get; set; } = 15L * 24 * 3600 * 1000;

    /// <summary>Total size limit of blocks plus WAL in bytes; the oldest blocks are deleted to stay under it. 0 = no limit.</summary>
    public long MaxBytes { get; set; }

    /// <summary>Range of head blocks (and of head chunks). Default 2 hours.</summary>
    public long BlockRangeMs { get; set; } = 2 * 3600 * 1000;

    /// <summary>How far behind the newest sample out-of-order samples are still accepted. 0 (default) refuses them.</summary>
    public long OutOfOrderWindowMs { get; set; }

    /// <summary>Maximum number of head series; 0 = unlimited. Beyond it appends fail with TooManySeries.</summary>
    public int MaxSeries { get; set; }

    /// <summary>
    /// Most samples one chunk of a block holds (1 to 65,535; default 480, four head chunks). Head chunks hold up to 120
    /// samples, as in Prometheus; when the head and blocks are written into blocks, a series' consecutive chunks are
    /// merged into fewer, longer ones up to this limit, so each chunk's fixed start (count, first timestamp and value,
    /// index entry: about 25 bytes) is paid over more samples. Longer chunks cost queries over short ranges of old data
    /// more decoding (up to this many samples per series per chunk touched). 120 keeps the head's chunks as they are.
    /// </summary>
    public int MaxSamplesPerBlockChunk { get; set; } = DefaultMaxSamplesPerBlockChunk;

    /// <summary>Default of <see cref="MaxSamplesPerBlockChunk"/>.</summary>
    public const int DefaultMaxSamplesPerBlockChunk = 480;

    /// <summary>WAL segment size in bytes (default 16 MiB).</summary>
    public long WalSegmentSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>fsync the WAL on every commit (default false: commits reach the OS, which survives a process crash).</summary>
    public bool WalSyncOnCommit { get; set; }

    /// <summary>Interval of the background compaction timer; <see cref="TimeSpan.Zero"/> disables it (tests call <see cref="TsdbDatabase.Compact"/>).</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long head truncation waits for open queriers that still read the head's old data.</summary>
    public TimeSpan ReaderWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Compaction ranges: BlockRangeMs × 3^k, capped at 10% of retention (as Prometheus does).</summary>
    public IReadOnlyList<long> CompactionRanges()
    {
        var ranges = new List<long> { BlockRangeMs };
        long max = RetentionMs > 0 ? RetentionMs / 10 : 31L * 24 * 3600 * 1000;
        max = Math.Min(max, 31L * 24 * 3600 * 1000);
        long r = BlockRangeMs;
        for (int i = 0; i < 9; i++)
        {
            r *= 3;
            if (r > max) break;
            ranges.Add(r);
        }
        return ranges;
    }
}

/// <summary>Head statistics, as Prometheus's /api/v1/status/tsdb reports them.</summary>
public sealed class TsdbStatus
{
    public long NumSeries { get; init; }
    public long ChunkCount { get; init; }
    public long MinTime { get; init; }
    public long MaxTime { get; init; }
    public int NumBlocks { get; init; }
    public IReadOnlyList<KeyValuePair<string, long>> SeriesCountByMetricName { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, long>> LabelValueCountByLabelName { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, long>> MemoryInBytesByLabelName { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, long>> SeriesCountByLabelValuePair { get; init; } = [];
}
