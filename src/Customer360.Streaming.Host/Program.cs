using Customer360.Streaming.Host.Cli;

return await C360Cli.Create().Parse(args).InvokeAsync(C360Cli.Invocation());
