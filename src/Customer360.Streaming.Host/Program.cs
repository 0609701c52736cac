using Customer360.Streaming.Host.Cli;

return await C360Cli.InvokeAsync(args);
