using Proxy.Host;
using Proxy.Host.Admin;

// Verbs first: `hash-password` and `admin` must work without any configuration.
if (args.Length > 0 && args[0] == "hash-password")
{
    return await HashPasswordCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "admin")
{
    return await AdminCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

return await ProxyHost.RunAsync(args);
