using System.Diagnostics;
using System.Globalization;
using Portal.Model;

namespace Portal.Tsdb.Tests;

public class CrashTests
{
    /// <summary>
    /// Runs this test assembly as a worker child process that appends and compacts in a loop, kills it with
    /// SIGKILL at random moments, reopens the database and checks every acknowledged batch survived and no
    /// partial block is visible.
    /// </summary>
    [Fact]
    public async Task SigkillAtRandomPoints_LosesNoCommittedSample()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        string dll = typeof(CrashWorker).Assembly.Location;
        var rnd = new Random(42);
        int nextBatch = 0;
        var total = Stopwatch.StartNew();
        int rounds = 0;
        while (rounds < 12 && total.Elapsed < TimeSpan.FromSeconds(40))
        {
            rounds++;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "exec", dll, "crash-worker", dir.Path, nextBatch.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            int lastAcked = -1;
            var errTask = p.StandardError.ReadToEndAsync();
            var killAfter = TimeSpan.FromMilliseconds(rnd.Next(300, 1500));
            var sw = Stopwatch.StartNew();
            var readTask = Task.Run(() =>
            {
                string? line;
                while ((line = p.StandardOutput.ReadLine()) is not null)
                    if (line.StartsWith("C ", StringComparison.Ordinal)) Volatile.Write(ref lastAcked, int.Parse(line[2..], CultureInfo.InvariantCulture));
            });
            // Wait for the first acknowledgement (startup) and then a random time.
            while (Volatile.Read(ref lastAcked) < 0 && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(5);
            await Task.Delay(killAfter);
            if (p.HasExited) Assert.Fail("worker exited early: " + await errTask);
            p.Kill(); // SIGKILL on Unix
            p.WaitForExit();
            await readTask.WaitAsync(TimeSpan.FromSeconds(5));
            int acked = Volatile.Read(ref lastAcked);
            Assert.True(acked >= nextBatch, $"round {rounds}: no batch acknowledged");

            using (var db = TsdbDatabase.Open(dir.Path, CrashWorker.Options()))
            {
                foreach (var d in Directory.GetDirectories(dir.Path))
                    Assert.DoesNotContain(".tmp", Path.GetFileName(d));
                using var q = db.Querier(0, long.MaxValue);
                var set = q.Select(true, null, Matcher.Equal("__name__", "crash_metric"));
                int n = 0;
                while (set.MoveNext())
                {
                    int s = int.Parse(set.Current.Labels.Get("series"), CultureInfo.InvariantCulture);
                    var it = set.Current.Iterator();
                    long expectT = 0;
                    long lastT = -1;
                    while (it.Next() == ValueKind.Float)
                    {
                        var smp = it.At();
                        Assert.Equal(expectT, smp.T);
                        Assert.Equal(CrashWorker.Value(s, smp.T), smp.V);
                        expectT += CrashWorker.Step;
                        lastT = smp.T;
                    }
                    Assert.True(lastT >= CrashWorker.Time(acked, CrashWorker.SamplesPerBatch - 1),
                        $"round {rounds}: series {s} ends at {lastT}, batch {acked} was acknowledged");
                    // Resume after whatever survived (an unacknowledged batch may have survived whole).
                    nextBatch = Math.Max(nextBatch, (int)((lastT / CrashWorker.Step + 1) / CrashWorker.SamplesPerBatch));
                    n++;
                }
                Assert.Equal(CrashWorker.SeriesCount, n);
            }
        }
        Assert.True(rounds >= 3, $"only {rounds} rounds ran");
    }
}
