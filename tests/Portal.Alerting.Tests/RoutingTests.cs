using Portal.Alerting;

namespace Portal.Alerting.Tests;

public class RoutingTests
{
    // The routing example of Alertmanager's configuration documentation.
    private const string DocsExample = """
        route:
          receiver: 'default-receiver'
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          group_by: [cluster, alertname]
          routes:
          - receiver: 'database-pager'
            group_wait: 10s
            matchers:
            - service=~"mysql|cassandra"
          - receiver: 'frontend-pager'
            group_by: [product, environment]
            matchers:
            - team="frontend"
          - receiver: 'dev-pager'
            matchers:
              - service="inhouse-service"
            mute_time_intervals:
              - offhours
              - holidays
            continue: true
          - receiver: 'on-call-pager'
            matchers:
              - service="inhouse-service"
            active_time_intervals:
              - offhours
              - holidays
        time_intervals:
        - name: offhours
          time_intervals:
          - times:
            - start_time: '20:00'
              end_time: '24:00'
        - name: holidays
          time_intervals:
          - months: ['december']
            days_of_month: ['25']
        receivers:
        - name: default-receiver
        - name: database-pager
        - name: frontend-pager
        - name: dev-pager
        - name: on-call-pager
        """;

    // A deeper tree in the spirit of Alertmanager's route tests: nested continue, old match/match_re syntax, inheritance.
    private const string Nested = """
        route:
          receiver: notify-def
          group_by: ['...']
          routes:
          - match:
              owner: team-A
            receiver: notify-A
            routes:
            - match:
                env: testing
              receiver: notify-testing
              group_by: [alertname]
              repeat_interval: 1h
          - match_re:
              owner: '^(?:team-(B|C))$'
            receiver: notify-BC
            group_interval: 2m
            continue: true
          - matchers: ['{owner="team-C", env!="testing"}']
            receiver: notify-C
            continue: true
          - matchers: ['owner =~ "team-.*"']
            routes:
            - matchers: [env="production"]
              receiver: notify-productionA
              continue: true
            - matchers: [env="production"]
              receiver: notify-productionB
        receivers:
        - name: notify-def
        - name: notify-A
        - name: notify-testing
        - name: notify-BC
        - name: notify-C
        - name: notify-productionA
        - name: notify-productionB
        """;

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { DocsExample, "service=mysql", ["database-pager"] },
        { DocsExample, "service=cassandra,team=frontend", ["database-pager"] },
        { DocsExample, "team=frontend,product=shop", ["frontend-pager"] },
        { DocsExample, "service=inhouse-service", ["dev-pager", "on-call-pager"] },
        { DocsExample, "service=postgres", ["default-receiver"] },
        { DocsExample, "alertname=x", ["default-receiver"] },
        { Nested, "owner=team-A", ["notify-A"] },
        { Nested, "owner=team-A,env=testing", ["notify-testing"] },
        { Nested, "owner=team-B", ["notify-BC", "notify-def"] },
        { Nested, "owner=team-C", ["notify-BC", "notify-C", "notify-def"] },
        { Nested, "owner=team-C,env=testing", ["notify-BC", "notify-def"] },
        { Nested, "owner=team-X,env=production", ["notify-productionA", "notify-productionB"] },
        { Nested, "owner=team-C,env=production", ["notify-BC", "notify-C", "notify-productionA", "notify-productionB"] },
        { Nested, "owner=nobody", ["notify-def"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RoutesDepthFirstWithContinue(string yaml, string labels, string[] receivers)
    {
        var root = RouteNode.Build(TestUtil.Load(yaml).Route!);
        var got = root.Match(TestUtil.L(labels)).Select(r => r.Receiver).ToArray();
        Assert.Equal(receivers, got);
    }

    [Fact]
    public void ChildrenInheritUnsetOptions()
    {
        var root = RouteNode.Build(TestUtil.Load(DocsExample).Route!);
        var db = Assert.Single(root.Match(TestUtil.L("service=mysql")));
        Assert.Equal(TimeSpan.FromSeconds(10), db.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(5), db.GroupInterval);
        Assert.Equal(TimeSpan.FromHours(4), db.RepeatInterval);
        Assert.Equal(["alertname", "cluster"], db.GroupBy);
        var fe = Assert.Single(root.Match(TestUtil.L("team=frontend")));
        Assert.Equal(["environment", "product"], fe.GroupBy);
        Assert.Equal(TimeSpan.FromSeconds(30), fe.GroupWait);
        var dev = root.Match(TestUtil.L("service=inhouse-service"));
        Assert.Equal(["offhours", "holidays"], dev[0].MuteTimeIntervals);
        Assert.Empty(dev[0].ActiveTimeIntervals);
        Assert.Equal(["offhours", "holidays"], dev[1].ActiveTimeIntervals);

        var nested = RouteNode.Build(TestUtil.Load(Nested).Route!);
        var testing = Assert.Single(nested.Match(TestUtil.L("owner=team-A,env=testing")));
        Assert.False(testing.GroupByAll);
        Assert.Equal(TimeSpan.FromHours(1), testing.RepeatInterval);
        var a = Assert.Single(nested.Match(TestUtil.L("owner=team-A")));
        Assert.True(a.GroupByAll);
        Assert.Equal(TestUtil.L("owner=team-A,x=1"), a.GroupLabels(TestUtil.L("owner=team-A,x=1")));
        var bc = nested.Match(TestUtil.L("owner=team-B"))[0];
        Assert.Equal(TimeSpan.FromMinutes(2), bc.GroupInterval);
        Assert.Equal(TimeSpan.FromMinutes(4 * 60), bc.RepeatInterval);
        var prod = nested.Match(TestUtil.L("owner=team-X,env=production"));
        Assert.Equal("notify-def", prod[0].Parent!.Receiver);
    }

    [Fact]
    public void KeysAndIdsFollowAlertmanager()
    {
        var root = RouteNode.Build(TestUtil.Load(DocsExample).Route!);
        Assert.Equal("{}", root.Key);
        Assert.Equal("{}", root.Id);
        var db = root.Routes[0];
        Assert.Equal("{}/{service=~\"mysql|cassandra\"}", db.Key);
        Assert.Equal("{}/{service=~\"mysql|cassandra\"}/0", db.Id);
        var nested = RouteNode.Build(TestUtil.Load(Nested).Route!);
        var prodB = nested.Routes[3].Routes[1];
        Assert.Equal("{}/{owner=~\"team-.*\"}/{env=\"production\"}", prodB.Key);
        Assert.Equal("{}/{owner=~\"team-.*\"}/3/{env=\"production\"}/1", prodB.Id);
        Assert.Equal("{}/{env!=\"testing\",owner=\"team-C\"}", nested.Routes[2].Key);
    }

    [Fact]
    public void GroupLabelsKeepOnlyGroupByLabels()
    {
        var root = RouteNode.Build(TestUtil.Load(DocsExample).Route!);
        var labels = TestUtil.L("alertname=HighLatency,cluster=eu,instance=a,service=x");
        Assert.Equal(TestUtil.L("alertname=HighLatency,cluster=eu"), root.GroupLabels(labels));
    }
}
