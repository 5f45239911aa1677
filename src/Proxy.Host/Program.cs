using Proxy.Host;

// Verbs first: `hash-password` must work without any configuration.
if (args.Length > 0 && args[0] == "hash-password")
{
    return await HashPasswordCommand.RunAsync(args[1..]);
}

return await ProxyHost.RunAsync(args);
