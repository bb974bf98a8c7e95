using Herald.Bench;
using Herald.Bench.Bare;

// `bare-server` is the bounds scenario's yardstick, started by the benchmark as a separate process (Bare/BareServer.cs).
return args is ["bare-server", ..] ? await BareServer.RunAsync(args[1..]) : await BenchCommand.RunAsync(args);
