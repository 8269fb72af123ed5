using Portal.Cli;

// `portal` — command-line tools for Portal's configuration, metrics, PromQL tests and TSDB.
// Exit codes: 0 success, 1 the checked input is invalid or tests failed, 2 usage error.
return CliApp.Run(args, Console.Out, Console.Error);
