using System.Buffers;
using System.Text.Json;
using Portal.Model;
using Portal.PromQL;

namespace Portal.Web.Api;

/// <summary>Writes the Prometheus API envelope: <c>{"status":"success","data":…,"warnings":[…],"infos":[…]}</c> or an error.</summary>
public static class ApiResponse
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    public static async Task SuccessAsync(HttpContext ctx, Action<Utf8JsonWriter> writeData,
        IReadOnlyList<string>? warnings = null, IReadOnlyList<string>? infos = null, int status = StatusCodes.Status200OK)
    {
        using var buffer = new PooledBufferWriter(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("status", "success");
            w.WritePropertyName("data");
            writeData(w);
            WriteStrings(w, "warnings", warnings);
            WriteStrings(w, "infos", infos);
            w.WriteEndObject();
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    public static async Task ErrorAsync(HttpContext ctx, string errorType, string error, IReadOnlyList<string>? warnings = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("status", "error");
            w.WriteString("errorType", errorType);
            w.WriteString("error", error);
            WriteStrings(w, "warnings", warnings);
            w.WriteEndObject();
        }
        ctx.Response.StatusCode = StatusFor(errorType);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    /// <summary>Prometheus's mapping of error types to HTTP status codes.</summary>
    public static int StatusFor(string errorType) => errorType switch
    {
        "bad_data" => StatusCodes.Status400BadRequest,
        "execution" => StatusCodes.Status422UnprocessableEntity,
        "canceled" or "timeout" or "unavailable" => StatusCodes.Status503ServiceUnavailable,
        "not_found" => StatusCodes.Status404NotFound,
        "not_acceptable" => StatusCodes.Status406NotAcceptable,
        "too_many_requests" => StatusCodes.Status429TooManyRequests,
        "unauthorized" => StatusCodes.Status401Unauthorized,
        "forbidden" => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    public static void WriteLabels(Utf8JsonWriter w, Labels labels)
    {
        w.WriteStartObject();
        foreach (var l in labels.AsSpan()) w.WriteString(l.Name, l.Value);
        w.WriteEndObject();
    }

    public static void WritePoint(Utf8JsonWriter w, long t, double v)
    {
        w.WriteStartArray();
        PromFormat.WriteTimestamp(w, t);
        w.WriteStringValue(PromFormat.Value(v));
        w.WriteEndArray();
    }

    /// <summary>A query value as <c>{"resultType":…,"result":…}</c>.</summary>
    public static void WriteQueryData(Utf8JsonWriter w, QueryValue value)
    {
        w.WriteStartObject();
        w.WriteString("resultType", value.ResultType);
        w.WritePropertyName("result");
        switch (value)
        {
            case ScalarResult s:
                WritePoint(w, s.T, s.F);
                break;
            case StringResult s:
                w.WriteStartArray();
                PromFormat.WriteTimestamp(w, s.T);
                w.WriteStringValue(s.Value);
                w.WriteEndArray();
                break;
            case VectorResult v:
                w.WriteStartArray();
                foreach (var e in v.Samples)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, e.Metric);
                    w.WritePropertyName("value");
                    WritePoint(w, e.T, e.F);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case MatrixResult m:
                w.WriteStartArray();
                foreach (var s in m.Series)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, s.Metric);
                    w.WriteStartArray("values");
                    foreach (var p in s.Floats) WritePoint(w, p.T, p.V);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            default:
                w.WriteNullValue();
                break;
        }
        w.WriteEndObject();
    }
}
