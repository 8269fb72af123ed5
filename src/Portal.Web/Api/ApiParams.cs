using System.Globalization;
using Portal.Model;
using Portal.PromQL;

namespace Portal.Web.Api;

/// <summary>A request parameter that could not be used; answered as bad_data with Prometheus's wording.</summary>
public sealed class BadParameterException(string message) : Exception(message);

/// <summary>Reads Prometheus API parameters from the query string or a POSTed form, with Prometheus's parsing rules.</summary>
public sealed class ApiParams
{
    /// <summary>Prometheus's API "minimum time" (milliseconds), used when start is absent.</summary>
    public const long MinTime = -9223309901257974000L;

    /// <summary>Prometheus's API "maximum time" (milliseconds), used when end is absent.</summary>
    public const long MaxTime = 9223309901257974999L;

    private readonly HttpRequest _request;
    private IFormCollection? _form;

    private ApiParams(HttpRequest request) => _request = request;

    public static async Task<ApiParams> ReadAsync(HttpRequest request)
    {
        var p = new ApiParams(request);
        if (request.HasFormContentType) p._form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        return p;
    }

    public string? Get(string name)
    {
        if (_form is not null && _form.TryGetValue(name, out var f) && f.Count > 0) return f[0];
        return _request.Query.TryGetValue(name, out var q) && q.Count > 0 ? q[0] : null;
    }

    public IReadOnlyList<string> GetAll(string name)
    {
        var list = new List<string>();
        if (_request.Query.TryGetValue(name, out var q)) list.AddRange(q.Where(v => v is not null)!);
        if (_form is not null && _form.TryGetValue(name, out var f)) list.AddRange(f.Where(v => v is not null)!);
        return list;
    }

    public string Required(string name) =>
        Get(name) is { Length: > 0 } v ? v : throw new BadParameterException($"invalid parameter \"{name}\": parameter is required");

    /// <summary>A time parameter: Unix seconds (fractions allowed) or RFC 3339; <paramref name="fallback"/> when absent.</summary>
    public long Time(string name, long fallback)
    {
        var v = Get(name);
        if (string.IsNullOrEmpty(v)) return fallback;
        return ParseTime(v) ?? throw new BadParameterException($"invalid parameter \"{name}\": cannot parse \"{v}\" to a valid timestamp");
    }

    public static long? ParseTime(string v)
    {
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds) && !double.IsInfinity(seconds))
        {
            var whole = Math.Truncate(seconds);
            var ms = Math.Round((seconds - whole) * 1000);
            if (Math.Abs(whole) > 9.2e15) return null;
            return (long)whole * 1000 + (long)ms;
        }
        if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) && v.Contains('T'))
            return t.ToUnixTimeMilliseconds();
        return null;
    }

    /// <summary>A duration parameter: float seconds or a Prometheus duration (<c>15s</c>, <c>1m</c>); null when absent.</summary>
    public long? Duration(string name)
    {
        var v = Get(name);
        if (string.IsNullOrEmpty(v)) return null;
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var ms = seconds * 1000;
            if (double.IsNaN(ms) || double.IsInfinity(ms) || ms > long.MaxValue || ms < long.MinValue)
                throw new BadParameterException($"invalid parameter \"{name}\": cannot parse \"{v}\" to a valid duration. It overflows int64");
            return (long)Math.Round(ms);
        }
        if (PromDuration.TryParse(v, out var d, out _)) return d;
        throw new BadParameterException($"invalid parameter \"{name}\": cannot parse \"{v}\" to a valid duration");
    }

    /// <summary>A non-negative integer limit; 0 (no limit) when absent.</summary>
    public int Limit(string name = "limit")
    {
        var v = Get(name);
        if (string.IsNullOrEmpty(v)) return 0;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new BadParameterException($"invalid parameter \"{name}\": limit must be a positive number");
        return n;
    }

    /// <summary>
    /// A signed integer limit as Prometheus's metadata endpoints read it: absent means -1 (none), 0 means none
    /// returned, anything not an integer is bad_data.
    /// </summary>
    public int SignedLimit(string name)
    {
        var v = Get(name);
        if (string.IsNullOrEmpty(v)) return -1;
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            throw new BadParameterException($"invalid parameter \"{name}\": {name} must be a number");
        return n;
    }

    /// <summary>The match[] selectors, each parsed to matchers; at least one matcher of each must not match the empty string.</summary>
    public IReadOnlyList<Matcher[]> Selectors(bool required)
    {
        var raw = GetAll("match[]");
        if (raw.Count == 0)
        {
            if (required) throw new BadParameterException("no match[] parameter provided");
            return [];
        }
        var list = new List<Matcher[]>(raw.Count);
        foreach (var s in raw)
        {
            IReadOnlyList<Matcher> matchers;
            try
            {
                matchers = PromQLParser.ParseMetricSelector(s);
            }
            catch (PromQLParseException e)
            {
                throw new BadParameterException($"invalid parameter \"match[]\": {e.Message}");
            }
            if (matchers.All(m => m.MatchesEmpty))
                throw new BadParameterException("invalid parameter \"match[]\": match[] must contain at least one non-empty matcher");
            list.Add(matchers.ToArray());
        }
        return list;
    }
}
