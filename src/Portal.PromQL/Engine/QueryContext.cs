using Portal.Model;
using IQueryable = Portal.Model.IQueryable;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

/// <summary>
/// State shared by every evaluator of one query: storage, limits, cancellation, annotations and the
/// queriers to close at the end. Owned by one query on one thread; not thread-safe.
/// </summary>
internal sealed class QueryContext : IDisposable
{
    private readonly List<IQuerier> _queriers = new();
    private readonly CancellationToken _userToken;

    public QueryContext(IQueryable storage, EngineOptions options, string query, long start, long end, long step,
        CancellationToken userToken, CancellationToken combinedToken)
    {
        Storage = storage;
        Options = options;
        Token = combinedToken;
        _userToken = userToken;
        Annotations = new Annotations(query);
        QueryStart = start;
        QueryEnd = end;
        QueryStep = step;
        MaxSamples = options.MaxSamples;
        Lookback = options.LookbackDeltaMs > 0 ? options.LookbackDeltaMs : 300_000;
    }

    public IQueryable Storage { get; }
    public EngineOptions Options { get; }
    public CancellationToken Token { get; }
    public Annotations Annotations { get; }
    public long QueryStart { get; }
    public long QueryEnd { get; }
    /// <summary>The query's step; 0 for instant queries (what step() returns).</summary>
    public long QueryStep { get; }
    public long MaxSamples { get; }
    public long Lookback { get; }
    public long Samples { get; private set; }

    /// <summary>Accounts for <paramref name="n"/> more samples in memory; throws past the limit.</summary>
    public void Count(long n)
    {
        Samples += n;
        if (Samples > MaxSamples)
            throw new PromQLException(ErrorKind.Execution, "query processing would load too many samples into memory in query execution");
    }

    /// <summary>Throws the matching typed error when the query was canceled or timed out.</summary>
    public void Check()
    {
        if (Token.IsCancellationRequested) ThrowCanceled();
    }

    /// <summary>
    /// <see cref="Check"/> on every 4096th <paramref name="i"/>, for tight per-step loops: a cancellation or timeout is
    /// noticed within a few thousand cheap iterations instead of after the whole loop.
    /// </summary>
    public void CheckEvery(int i)
    {
        if ((i & 4095) == 0 && Token.IsCancellationRequested) ThrowCanceled();
    }

    public void ThrowCanceled()
    {
        if (_userToken.IsCancellationRequested)
            throw new PromQLException(ErrorKind.Canceled, "query was canceled in query execution");
        throw new PromQLException(ErrorKind.Timeout, "query timed out in query execution");
    }

    public IQuerier Querier(long mint, long maxt)
    {
        var q = Storage.Querier(mint, maxt);
        _queriers.Add(q);
        return q;
    }

    /// <summary>Time of a selector's @ modifier (start()/end() resolved to the query's), or null.</summary>
    public long? AtOf(long? timestamp, AtModifier startOrEnd) => startOrEnd switch
    {
        AtModifier.Start => QueryStart,
        AtModifier.End => QueryEnd,
        _ => timestamp,
    };

    /// <summary>Evaluates a duration expression against this query's step and range.</summary>
    public long DurationMs(DurationExpr? expr, long constant)
    {
        if (expr is null || expr.IsConstant) return constant;
        try
        {
            return expr.EvaluateMs(QueryStep, QueryEnd - QueryStart);
        }
        catch (ArgumentException e)
        {
            throw new PromQLException(ErrorKind.Execution, e.Message);
        }
    }

    public void Dispose()
    {
        foreach (var q in _queriers)
        {
            try
            {
                q.Dispose();
            }
            catch (Exception)
            {
                // Closing a querier must not mask the query's own outcome.
            }
        }
        _queriers.Clear();
    }
}
