using System.Buffers;
using Google.Protobuf;
using Portal.Model;
using V1 = Portal.Ingest.Protos.Prom;
using V2 = Portal.Ingest.Protos.WriteV2;

namespace Portal.Ingest.RemoteWrite;

/// <summary>Which protobuf message a remote write body holds, from its Content-Type.</summary>
public enum RemoteWriteMessage : byte
{
    /// <summary><c>prometheus.WriteRequest</c> (remote write 1.0).</summary>
    V1,

    /// <summary><c>io.prometheus.write.v2.Request</c> (remote write 2.0).</summary>
    V2,
}

/// <summary>Settings of a <see cref="RemoteWriteReceiver"/>.</summary>
public sealed record RemoteWriteOptions
{
    /// <summary>
    /// When set, a 2.0 sample with a start (created) timestamp earlier than its timestamp also stores a zero
    /// sample at the start timestamp, as Prometheus's <c>created-timestamp-zero-ingestion</c> feature does.
    /// Off by default, as in Prometheus. A refused zero sample (already stored, or older than the series' last
    /// sample) is skipped silently.
    /// </summary>
    public bool IngestStartTimestamps { get; init; }
}

/// <summary>
/// What a remote write request came to: the HTTP status to answer with, the reason when it failed, and the
/// counts for the <c>X-Prometheus-Remote-Write-*-Written</c> headers.
/// </summary>
public readonly record struct RemoteWriteOutcome(int StatusCode, string? Error, long SamplesWritten, long HistogramsWritten, long ExemplarsWritten)
{
    public bool Success => StatusCode is >= 200 and < 300;

    internal static RemoteWriteOutcome BadRequest(string error) => new(400, error, 0, 0, 0);
}

/// <summary>
/// The remote write receiver (specifications 1.0 and 2.0): content negotiation, snappy block decoding,
/// protobuf decoding, validation, and appending. One request is one appender transaction: if any sample
/// is refused (invalid labels, out of order, too old, unsupported native histogram, bad symbol reference),
/// the whole request is rolled back and answered 400 with the reason, so a retry by hand after fixing
/// the sender never meets half-stored data. Both specifications allow a receiver to write the valid rest
/// ("MAY"); Portal chooses not to. Exemplars and metadata are checked but not stored (Portal keeps
/// neither), so <see cref="RemoteWriteOutcome.ExemplarsWritten"/> is always 0.
/// Thread-safe: holds no per-request state.
/// </summary>
public sealed class RemoteWriteReceiver(RemoteWriteOptions? options = null)
{
    public const string ContentTypeV1 = "application/x-protobuf";
    public const string ProtoV1 = "prometheus.WriteRequest";
    public const string ProtoV2 = "io.prometheus.write.v2.Request";
    public const string HeaderSamplesWritten = "X-Prometheus-Remote-Write-Samples-Written";
    public const string HeaderHistogramsWritten = "X-Prometheus-Remote-Write-Histograms-Written";
    public const string HeaderExemplarsWritten = "X-Prometheus-Remote-Write-Exemplars-Written";
    public const string HeaderVersion = "X-Prometheus-Remote-Write-Version";

    private readonly RemoteWriteOptions _options = options ?? new RemoteWriteOptions();

    /// <summary>
    /// Picks the message from the Content-Type and checks the Content-Encoding. A missing Content-Type means
    /// 1.0 and a missing Content-Encoding means snappy, as Prometheus accepts from early 1.0 senders.
    /// Returns null when supported, else the reason (to answer with 415 Unsupported Media Type).
    /// </summary>
    public static string? Negotiate(string? contentType, string? contentEncoding, out RemoteWriteMessage message)
    {
        message = RemoteWriteMessage.V1;
        if (!string.IsNullOrWhiteSpace(contentEncoding) && !contentEncoding.Trim().Equals("snappy", StringComparison.OrdinalIgnoreCase))
            return $"unsupported Content-Encoding \"{contentEncoding}\"; remote write bodies must be snappy (block format)";
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var parts = contentType.Split(';');
        if (!parts[0].Trim().Equals(ContentTypeV1, StringComparison.OrdinalIgnoreCase))
            return $"unsupported Content-Type \"{contentType}\"; expected {ContentTypeV1} with proto={ProtoV1} or proto={ProtoV2}";
        for (int i = 1; i < parts.Length; i++)
        {
            var p = parts[i].Trim();
            int eq = p.IndexOf('=');
            if (eq < 0 || !p[..eq].Trim().Equals("proto", StringComparison.OrdinalIgnoreCase)) continue;
            var proto = p[(eq + 1)..].Trim().Trim('"');
            if (proto == ProtoV1) message = RemoteWriteMessage.V1;
            else if (proto == ProtoV2) message = RemoteWriteMessage.V2;
            else return $"unsupported proto \"{proto}\" in Content-Type; expected {ProtoV1} or {ProtoV2}";
        }
        return null;
    }

    /// <summary>
    /// Decodes a snappy-compressed body and appends it in one transaction. Returns 204 on success and 400 with
    /// the reason for bodies or samples that can never be stored. Exceptions from the appender's commit (e.g. a
    /// rate limit) and unexpected storage failures propagate after the transaction was rolled back, for the
    /// caller to map (429, 5xx).
    /// </summary>
    /// <param name="cache">When given, 1.0 requests are appended straight from the wire bytes with known series looked up in it (the fast path).</param>
    public RemoteWriteOutcome Write(RemoteWriteMessage message, ReadOnlySpan<byte> compressedBody, long maxDecodedBytes, IAppendable appendable,
        RemoteWriteSeriesCache? cache = null)
    {
        byte[] rented;
        int length;
        try
        {
            rented = SnappyBlock.DecodeRented(compressedBody, maxDecodedBytes, out length);
        }
        catch (InvalidDataException e)
        {
            return RemoteWriteOutcome.BadRequest(e.Message);
        }
        try
        {
            var raw = rented.AsSpan(0, length);
            if (message == RemoteWriteMessage.V1)
                return cache is null ? WriteV1(raw, appendable) : FastV1Writer.Write(raw, appendable, cache);
            return WriteV2(raw, appendable);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes an uncompressed 1.0 <c>WriteRequest</c>; null with <paramref name="error"/> set when malformed.</summary>
    public static V1.WriteRequest? ParseV1(ReadOnlySpan<byte> raw, out string? error)
    {
        try
        {
            error = null;
            return V1.WriteRequest.Parser.ParseFrom(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            error = "protobuf: cannot decode prometheus.WriteRequest: " + e.Message;
            return null;
        }
    }

    /// <summary>Decodes an uncompressed 2.0 <c>Request</c>; null with <paramref name="error"/> set when malformed.</summary>
    public static V2.Request? ParseV2(ReadOnlySpan<byte> raw, out string? error)
    {
        try
        {
            error = null;
            return V2.Request.Parser.ParseFrom(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            error = "protobuf: cannot decode io.prometheus.write.v2.Request: " + e.Message;
            return null;
        }
    }

    private static RemoteWriteOutcome WriteV1(ReadOnlySpan<byte> raw, IAppendable appendable)
    {
        var req = ParseV1(raw, out var error);
        if (req is null) return RemoteWriteOutcome.BadRequest(error!);
        if (req.Timeseries.Count == 0) return new RemoteWriteOutcome(204, null, 0, 0, 0);

        var app = appendable.Appender();
        long samples = 0;
        try
        {
            foreach (var ts in req.Timeseries)
            {
                var pl = ts.Labels;
                var arr = new Label[pl.Count];
                for (int i = 0; i < arr.Length; i++) arr[i] = new Label(pl[i].Name, pl[i].Value);
                var labels = Labels.FromSortedUnchecked(arr);
                if (LabelNames.Validate(labels) is { } reason)
                    return Refuse(app, $"invalid labels {labels}: {reason}");
                if (ts.Histograms.Count > 0)
                    return Refuse(app, $"series {labels}: native histogram samples are not supported by this receiver");
                var sref = SeriesRef.None;
                foreach (var s in ts.Samples)
                {
                    sref = app.Append(sref, labels, s.Timestamp, s.Value);
                    samples++;
                }
            }
        }
        catch (AppendException e)
        {
            return Refuse(app, e.Message);
        }
        catch
        {
            app.Rollback();
            throw;
        }
        app.Commit();
        return new RemoteWriteOutcome(204, null, samples, 0, 0);
    }

    private RemoteWriteOutcome WriteV2(ReadOnlySpan<byte> raw, IAppendable appendable)
    {
        var req = ParseV2(raw, out var error);
        if (req is null) return RemoteWriteOutcome.BadRequest(error!);
        if (req.Timeseries.Count == 0) return new RemoteWriteOutcome(204, null, 0, 0, 0);
        var symbols = req.Symbols;
        if (symbols.Count == 0 || symbols[0].Length != 0)
            return RemoteWriteOutcome.BadRequest("symbols table must start with an empty string");

        var app = appendable.Appender();
        long samples = 0;
        try
        {
            for (int n = 0; n < req.Timeseries.Count; n++)
            {
                var ts = req.Timeseries[n];
                var refs = ts.LabelsRefs;
                if (refs.Count % 2 != 0)
                    return Refuse(app, $"timeseries {n}: labels_refs has an odd length {refs.Count}");
                var arr = new Label[refs.Count / 2];
                for (int i = 0; i < arr.Length; i++)
                {
                    uint nr = refs[2 * i], vr = refs[2 * i + 1];
                    if (nr >= (uint)symbols.Count || vr >= (uint)symbols.Count)
                        return Refuse(app, $"timeseries {n}: label reference {Math.Max(nr, vr)} is outside the symbols table of {symbols.Count}");
                    arr[i] = new Label(symbols[(int)nr], symbols[(int)vr]);
                }
                var labels = Labels.FromSortedUnchecked(arr);
                if (LabelNames.Validate(labels) is { } reason)
                    return Refuse(app, $"invalid labels {labels}: {reason}");
                if (ts.Histograms.Count > 0)
                    return Refuse(app, ts.Samples.Count > 0
                        ? $"series {labels}: a timeseries must not hold both samples and histograms"
                        : $"series {labels}: native histogram samples are not supported by this receiver");
                if (ts.Metadata is { } md && (md.HelpRef >= (uint)symbols.Count || md.UnitRef >= (uint)symbols.Count))
                    return Refuse(app, $"series {labels}: metadata reference is outside the symbols table of {symbols.Count}");
                foreach (var ex in ts.Exemplars)
                {
                    if (ex.LabelsRefs.Count % 2 != 0)
                        return Refuse(app, $"series {labels}: exemplar labels_refs has an odd length {ex.LabelsRefs.Count}");
                    foreach (var r in ex.LabelsRefs)
                        if (r >= (uint)symbols.Count)
                            return Refuse(app, $"series {labels}: exemplar label reference {r} is outside the symbols table of {symbols.Count}");
                }

                var sref = SeriesRef.None;
                foreach (var s in ts.Samples)
                {
                    if (_options.IngestStartTimestamps && s.StartTimestamp != 0 && s.StartTimestamp < s.Timestamp)
                    {
                        try
                        {
                            sref = app.Append(sref, labels, s.StartTimestamp, 0);
                        }
                        catch (AppendException e) when (e.Error is AppendError.OutOfOrderSample or AppendError.DuplicateSampleForTimestamp or AppendError.TooOldSample or AppendError.OutOfBounds)
                        {
                        }
                    }
                    sref = app.Append(sref, labels, s.Timestamp, s.Value);
                    samples++;
                }
            }
        }
        catch (AppendException e)
        {
            return Refuse(app, e.Message);
        }
        catch
        {
            app.Rollback();
            throw;
        }
        app.Commit();
        return new RemoteWriteOutcome(204, null, samples, 0, 0);
    }

    private static RemoteWriteOutcome Refuse(IAppender app, string reason)
    {
        app.Rollback();
        return RemoteWriteOutcome.BadRequest(reason + "; nothing of this request was stored");
    }
}
