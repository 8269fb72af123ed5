using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line, e.g.
//   dotnet run -c Release --project tests/Portal.Benchmarks -- --filter '*Xor*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
