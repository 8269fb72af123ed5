using Portal.Alerting;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Alerting.Tests;

public class SilenceTests
{
    private static Silence S(DateTimeOffset start, DateTimeOffset end, params Matcher[] ms) =>
        new() { Matchers = ms, StartsAt = start, EndsAt = end, CreatedBy = "me", Comment = "maintenance" };

    [Fact]
    public void CreateMuteExpire()
    {
        var clock = new FakeClock();
        var now = clock.GetUtcNow();
        var store = new SilenceStore(null, clock);
        var id = store.Set(S(now - TimeSpan.FromMinutes(1), now + TimeSpan.FromHours(1), Matcher.Equal("job", "api"), new Matcher(MatchType.Regex, "instance", "a|b")));
        var s = store.Get(id)!;
        Assert.Equal(now, s.StartsAt);
        Assert.Equal(SilenceState.Active, s.StateAt(now));
        Assert.Equal([id], store.MutedBy(TestUtil.L("job=api,instance=a")));
        Assert.Empty(store.MutedBy(TestUtil.L("job=api,instance=c")));
        Assert.Empty(store.MutedBy(TestUtil.L("job=web,instance=a")));
        clock.Advance(TimeSpan.FromMinutes(5));
        store.Expire(id);
        Assert.Equal(SilenceState.Expired, store.Get(id)!.StateAt(clock.GetUtcNow()));
        Assert.Empty(store.MutedBy(TestUtil.L("job=api,instance=a")));
        var e = Assert.Throws<SilenceException>(() => store.Expire(id));
        Assert.Contains("already expired", e.Message);
        Assert.True(Assert.Throws<SilenceException>(() => store.Expire("nope")).NotFound);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "", "at least one matcher required" },
        { "a=~.*", "at least one matcher must not match the empty string" },
        { "a=", "at least one matcher must not match the empty string" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RefusesInvalidSilences(string matcher, string error)
    {
        var clock = new FakeClock();
        var now = clock.GetUtcNow();
        var store = new SilenceStore(null, clock);
        var ms = matcher.Length == 0 ? [] : new[] { matcher.Contains("=~") ? new Matcher(MatchType.Regex, "a", matcher.Split("=~")[1]) : Matcher.Equal("a", matcher.Split('=')[1]) };
        var e = Assert.Throws<SilenceException>(() => store.Set(S(now, now + TimeSpan.FromHours(1), ms)));
        Assert.Equal(error, e.Message);
        Assert.Equal("end time must not be before start time",
            Assert.Throws<SilenceException>(() => store.Set(S(now, now - TimeSpan.FromHours(1), Matcher.Equal("a", "b")))).Message);
    }

    [Fact]
    public void UpdatesInPlaceOrReplaces()
    {
        var clock = new FakeClock();
        var now = clock.GetUtcNow();
        var store = new SilenceStore(null, clock);
        var id = store.Set(S(now, now + TimeSpan.FromHours(1), Matcher.Equal("a", "b")));
        // Active, same matchers and start, later end: updated in place.
        var same = store.Set(store.Get(id)! with { EndsAt = now + TimeSpan.FromHours(2), Comment = "longer" });
        Assert.Equal(id, same);
        Assert.Equal("longer", store.Get(id)!.Comment);
        // Different matchers: a new silence, the old one expires.
        var replaced = store.Set(store.Get(id)! with { Matchers = [Matcher.Equal("a", "c")] });
        Assert.NotEqual(id, replaced);
        Assert.Equal(SilenceState.Expired, store.Get(id)!.StateAt(now));
        Assert.Throws<SilenceException>(() => store.Set(S(now, now + TimeSpan.FromHours(1), Matcher.Equal("a", "b")) with { Id = "unknown" }));
        // Pending silences can move their start as long as it stays in the future.
        var pending = store.Set(S(now + TimeSpan.FromHours(1), now + TimeSpan.FromHours(2), Matcher.Equal("x", "y")));
        Assert.Equal(SilenceState.Pending, store.Get(pending)!.StateAt(now));
        Assert.Equal(pending, store.Set(store.Get(pending)! with { StartsAt = now + TimeSpan.FromMinutes(30) }));
        store.Expire(pending);
        var p = store.Get(pending)!;
        Assert.Equal(now, p.StartsAt);
        Assert.Equal(now, p.EndsAt);
    }

    [Fact]
    public void PersistsAcrossRestartAndCollectsGarbage()
    {
        var dir = TestUtil.TempDir();
        var clock = new FakeClock();
        var now = clock.GetUtcNow();
        var store = new SilenceStore(dir, clock);
        var id = store.Set(S(now, now + TimeSpan.FromHours(1), Matcher.Equal("a", "b"), new Matcher(MatchType.NotRegex, "c", "d.*")));
        var reopened = new SilenceStore(dir, clock);
        var s = reopened.Get(id)!;
        Assert.Equal("me", s.CreatedBy);
        Assert.Equal("maintenance", s.Comment);
        Assert.Equal(MatchType.NotRegex, s.Matchers[1].Type);
        Assert.Equal([id], reopened.MutedBy(TestUtil.L("a=b,c=x")));
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromHours(120));
        Assert.Equal(0, reopened.GarbageCollect());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, reopened.GarbageCollect());
        Assert.Empty(new SilenceStore(dir, clock).List());
        Directory.Delete(dir, true);
    }
}
