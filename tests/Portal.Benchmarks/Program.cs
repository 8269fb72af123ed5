using BenchmarkDotNet.Running;
using Portal.Benchmarks;

// Runs the benchmarks chosen on the command line, e.g.
//   dotnet run -c Release --project tests/Portal.Benchmarks -- --filter '*Xor*'
// or a load measurement by name:
//   dotnet run -c Release --project tests/Portal.Benchmarks -- tenant-idle-cost [TENANTS] [SERIES]
if (args.Length > 0 && args[0] == "tenant-idle-cost")
    return TenantIdleCost.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
