using Portal.Model;
using Portal.PromQL.PromqlTest;
using Portal.PromQL.Tests.Script;
using Portal.Tsdb;
using Xunit.Abstractions;
using IQueryable = Portal.Model.IQueryable;

namespace Portal.PromQL.Tests.Conformance;

/// <summary>The upstream target files again, with the data in a real TSDB instead of memory.</summary>
public class TsdbConformanceTests(ITestOutputHelper output)
{
    /// <summary>A TSDB in a temporary folder; clearing starts a fresh database.</summary>
    private sealed class TsdbStorage : Runner.IAppendableQueryable, IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "portal-promql-" + Guid.NewGuid().ToString("N"));
        private readonly TsdbDatabase _db;

        public TsdbStorage()
        {
            _db = TsdbDatabase.Open(_dir, new TsdbOptions { OutOfOrderWindowMs = long.MaxValue / 4, CompactionInterval = TimeSpan.FromHours(1) });
        }

        public IAppender Appender() => _db.Appender();
        public IQuerier Querier(long mint, long maxt) => _db.Querier(mint, maxt);

        public Runner.IAppendableQueryable Clear()
        {
            Dispose();
            return new TsdbStorage();
        }

        public void Dispose()
        {
            _db.Dispose();
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    [SharedFact]
    public void UpstreamTargetFilesPassOnTsdb()
    {
        var storages = new List<TsdbStorage>();
        int failed = 0;
        foreach (var name in ConformanceTests.TargetFiles)
        {
            var report = new RunReport();
            new Runner(storageFactory: () =>
            {
                var s = new TsdbStorage();
                storages.Add(s);
                return s;
            }).RunFile(Path.Combine(SharedData.TestDataDir, name + ".test"), report);
            foreach (var c in report.Cases)
                if (c.Outcome == CaseOutcome.Failed) output.WriteLine($"  FAIL {c.File}:{c.Line}: {c.Query}: {c.Message}");
            output.WriteLine($"{name}.test on tsdb: {report.Summary}");
            failed += report.Failed;
        }
        Assert.Equal(0, failed);
    }
}
