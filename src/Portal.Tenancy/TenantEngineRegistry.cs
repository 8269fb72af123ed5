using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Model;

namespace Portal.Tenancy;

/// <summary>
/// Opens each tenant's engine on first use and closes engines idle for longer than a set time,
/// so thousands of tenants cost little while they are quiet. Thread-safe.
/// </summary>
public sealed class TenantEngineRegistry : IDisposable
{
    private readonly string _tenantsPath;
    private readonly Func<string, TenantLimits> _limitsFor;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory? _loggers;
    private readonly ILogger? _log;
    private readonly Action<TenantEngine>? _onOpen;
    private readonly Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? _outboundConnect;
    private readonly ConcurrentDictionary<string, Lazy<TenantEngine>> _engines = new(StringComparer.Ordinal);
    private readonly Lock _lifecycle = new();
    private bool _disposed;

    /// <param name="storagePath">The storage root; tenants live under its <c>tenants/</c> folder.</param>
    /// <param name="limitsFor">The limits of a tenant (defaults merged with its overrides).</param>
    /// <param name="onOpen">Called with each engine right after it opens, e.g. to load the tenant's running configuration.</param>
    /// <param name="outboundConnect">When set, tenants' outbound connections (scrapes) go through it: hosted mode's public-address check.</param>
    public TenantEngineRegistry(string storagePath, Func<string, TenantLimits> limitsFor, TimeProvider? clock = null, ILoggerFactory? loggers = null,
        Action<TenantEngine>? onOpen = null,
        Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? outboundConnect = null)
    {
        _onOpen = onOpen;
        _outboundConnect = outboundConnect;
        _tenantsPath = Path.Combine(Path.GetFullPath(storagePath), "tenants");
        _limitsFor = limitsFor;
        _clock = clock ?? TimeProvider.System;
        _loggers = loggers;
        _log = loggers?.CreateLogger<TenantEngineRegistry>();
    }

    /// <summary>
    /// The tenant's engine, opened now if it is not open. The id must be a valid tenant slug
    /// (which also keeps it inside the storage folder); callers pass only ids taken from a
    /// verified credential or the metadata database.
    /// </summary>
    public TenantEngine Get(string tenantId)
    {
        if (TenantSlug.Validate(tenantId) is { } reason) throw new ArgumentException(reason, nameof(tenantId));
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var lazy = _engines.GetOrAdd(tenantId, id => new Lazy<TenantEngine>(() => Open(id)));
            TenantEngine engine;
            try
            {
                engine = lazy.Value;
            }
            catch
            {
                _engines.TryRemove(tenantId, out _);
                throw;
            }
            engine.Touch();
            return engine;
        }
    }

    /// <summary>The ids of the tenants whose engines are open now.</summary>
    public IReadOnlyList<string> OpenTenants => _engines.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The engines open now (a snapshot; opens none and does not count as use).</summary>
    public IReadOnlyList<TenantEngine> OpenEngines => _engines.Values.Where(l => l.IsValueCreated).Select(l => l.Value).ToList();

    /// <summary>Closes engines not asked for in <paramref name="idleFor"/>, except those <paramref name="keep"/> says are busy. Returns how many closed.</summary>
    public int CloseIdle(TimeSpan idleFor, Func<TenantEngine, bool>? keep = null)
    {
        var cutoff = _clock.GetUtcNow() - idleFor;
        int closed = 0;
        lock (_lifecycle)
        {
            foreach (var (id, lazy) in _engines)
            {
                if (!lazy.IsValueCreated || lazy.Value.LastUsed > cutoff || (keep?.Invoke(lazy.Value) ?? false)) continue;
                if (_engines.TryRemove(id, out _))
                {
                    lazy.Value.Dispose();
                    closed++;
                }
            }
        }
        if (closed > 0) _log?.LogInformation("Closed {Count} idle tenant engines", closed);
        return closed;
    }

    /// <summary>Closes the tenant's engine (if open) and deletes all of its samples from disk.</summary>
    public void DeleteTenantData(string tenantId)
    {
        if (TenantSlug.Validate(tenantId) is { } reason) throw new ArgumentException(reason, nameof(tenantId));
        lock (_lifecycle)
        {
            if (_engines.TryRemove(tenantId, out var lazy) && lazy.IsValueCreated) lazy.Value.Dispose();
            var dir = Path.Combine(_tenantsPath, tenantId);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private TenantEngine Open(string tenantId)
    {
        var dir = Path.Combine(_tenantsPath, tenantId);
        var engine = new TenantEngine(tenantId, dir, _limitsFor(tenantId), _clock, _loggers, _outboundConnect);
        try
        {
            _onOpen?.Invoke(engine);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        _log?.LogInformation("Opened tenant engine {Tenant}", tenantId);
        return engine;
    }

    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var lazy in _engines.Values)
                if (lazy.IsValueCreated) lazy.Value.Dispose();
            _engines.Clear();
        }
    }
}
