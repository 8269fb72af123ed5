using BenchmarkDotNet.Running;
using Portal.Benchmarks;

// Runs the benchmarks chosen on the command line, e.g.
//   dotnet run -c Release --project tests/Portal.Benchmarks -- --filter '*Xor*'
// or a load measurement by name:
//   dotnet run -c Release --project tests/Portal.Benchmarks -- tenant-idle-cost [TENANTS] [SERIES]
//   dotnet tests/Portal.Benchmarks/bin/Release/net10.0/Portal.Benchmarks.dll scrape-load [TARGETS] [SERIES] [SECONDS] [INTERVAL]
if (args.Length > 0 && args[0] == "tenant-idle-cost")
    return TenantIdleCost.Run(args[1..]);
if (args.Length > 0 && args[0] == "remote-write-load")
    return RemoteWriteLoad.Run(args[1..]);
if (args.Length > 0 && args[0] == "remote-write-heap")
    return RemoteWriteHeap.Run(args[1..]);
if (args.Length > 0 && args[0] == "query-compare")
    return QueryCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "regex-compare")
    return QueryCompare.RunRegex(args[1..]);
if (args.Length > 0 && args[0] == "query-loop")
    return QueryLoop.Run(args[1..]);
if (args.Length > 0 && args[0] == "disk-density")
    return DiskDensity.Run(args[1..]);
if (args.Length > 0 && args[0] == "chunk-lengths")
    return ChunkLengths.Run(args[1..]);
if (args.Length > 0 && args[0] == "scrape-load")
    return ScrapeLoad.Run(args[1..]);
if (args.Length > 0 && args[0] == "scrape-profile")
    return ScrapeLoad.Profile(args[1..]);
if (args.Length > 0 && args[0] == "scrape-load-server")
    return ScrapeLoad.Serve(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
