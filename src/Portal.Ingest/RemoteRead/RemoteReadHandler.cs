using Google.Protobuf;
using Portal.Ingest.RemoteWrite;
using Portal.Model;
using MatchType = Portal.Model.MatchType;
using Prom = Portal.Ingest.Protos.Prom;

namespace Portal.Ingest.RemoteRead;

/// <summary>A remote read request that cannot be answered; 400 with <see cref="Exception.Message"/>.</summary>
public sealed class RemoteReadException(string message) : Exception(message);

/// <summary>
/// Prometheus remote read with the sampled response type: a snappy-compressed <c>prometheus.ReadRequest</c> in,
/// a snappy-compressed <c>prometheus.ReadResponse</c> out, one <c>QueryResult</c> per query with every matching
/// series' float samples in the query's range. The streamed XOR-chunks type is not offered; a request that accepts
/// only it is refused. Thread-safe: holds no state.
/// </summary>
public static class RemoteReadHandler
{
    public const string ContentType = "application/x-protobuf";

    /// <summary>Decodes the request body. Throws <see cref="RemoteReadException"/> when it is malformed or asks only for chunks.</summary>
    public static Prom.ReadRequest Decode(ReadOnlySpan<byte> compressed, long maxDecodedBytes)
    {
        Prom.ReadRequest req;
        try
        {
            req = Prom.ReadRequest.Parser.ParseFrom(SnappyBlock.Decode(compressed, maxDecodedBytes));
        }
        catch (InvalidDataException e)
        {
            throw new RemoteReadException(e.Message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RemoteReadException("protobuf: cannot decode prometheus.ReadRequest: " + e.Message);
        }
        if (req.AcceptedResponseTypes.Count > 0 && !req.AcceptedResponseTypes.Contains(Prom.ReadRequest.Types.ResponseType.Samples))
            throw new RemoteReadException("only the SAMPLES response type is supported");
        return req;
    }

    /// <summary>
    /// Runs every query against <paramref name="storage"/> and returns the compressed response. At most
    /// <paramref name="maxSamples"/> samples are returned over all queries; more is refused with a
    /// <see cref="RemoteReadException"/>.
    /// </summary>
    public static byte[] Execute(Prom.ReadRequest req, Portal.Model.IQueryable storage, long maxSamples, CancellationToken ct = default)
    {
        var resp = new Prom.ReadResponse();
        long total = 0;
        foreach (var q in req.Queries)
        {
            var matchers = new Matcher[q.Matchers.Count];
            for (int i = 0; i < matchers.Length; i++)
            {
                var m = q.Matchers[i];
                var type = m.Type switch
                {
                    Prom.LabelMatcher.Types.Type.Eq => MatchType.Equal,
                    Prom.LabelMatcher.Types.Type.Neq => MatchType.NotEqual,
                    Prom.LabelMatcher.Types.Type.Re => MatchType.Regex,
                    Prom.LabelMatcher.Types.Type.Nre => MatchType.NotRegex,
                    _ => throw new RemoteReadException($"unknown label matcher type {(int)m.Type}"),
                };
                try
                {
                    matchers[i] = new Matcher(type, m.Name, m.Value);
                }
                catch (ArgumentException e)
                {
                    throw new RemoteReadException($"invalid matcher {m.Name}: {e.Message}");
                }
            }
            bool anyNonEmpty = false;
            foreach (var m in matchers) anyNonEmpty |= !m.MatchesEmpty;
            if (!anyNonEmpty) throw new RemoteReadException("a query needs at least one matcher that does not match the empty string");

            var hints = q.Hints is null ? null : new SelectHints
            {
                Start = q.Hints.StartMs, End = q.Hints.EndMs, Step = q.Hints.StepMs, Range = q.Hints.RangeMs,
                Func = q.Hints.Func, Grouping = [.. q.Hints.Grouping], By = q.Hints.By,
            };
            var result = new Prom.QueryResult();
            using (var querier = storage.Querier(q.StartTimestampMs, q.EndTimestampMs))
            {
                var set = querier.Select(true, hints, matchers);
                ISampleIterator? it = null;
                while (set.MoveNext())
                {
                    ct.ThrowIfCancellationRequested();
                    var series = set.Current;
                    var ts = new Prom.TimeSeries();
                    foreach (var l in series.Labels) ts.Labels.Add(new Prom.Label { Name = l.Name, Value = l.Value });
                    it = series.Iterator(it);
                    for (var k = it.Next(); k != ValueKind.None; k = it.Next())
                    {
                        if (k != ValueKind.Float) continue;
                        var s = it.At();
                        if (s.T < q.StartTimestampMs || s.T > q.EndTimestampMs) continue;
                        if (++total > maxSamples)
                            throw new RemoteReadException($"the query returns more than {maxSamples} samples; narrow the time range or the matchers");
                        ts.Samples.Add(new Prom.Sample { Timestamp = s.T, Value = s.V });
                    }
                    if (it.Error is { } ie) throw ie;
                    if (ts.Samples.Count > 0) result.Timeseries.Add(ts);
                }
                if (set.Error is { } se) throw se;
            }
            resp.Results.Add(result);
        }
        return SnappyBlock.Encode(resp.ToByteArray());
    }
}
