using Proxy.Core.Directory;

namespace Proxy.Host;

/// <summary>
/// <c>Proxy.Host hash-password [--iterations N]</c>: reads one password from
/// standard input (never from the command line, where it would land in shell
/// history and the process list) and prints the hash for the directory file.
/// </summary>
internal static class HashPasswordCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var iterations = PasswordHasher.DefaultIterations;
        if (args.Length == 2 && args[0] == "--iterations" && int.TryParse(args[1], out var parsed) && parsed >= 1000)
        {
            iterations = parsed;
        }
        else if (args.Length != 0)
        {
            await Console.Error.WriteLineAsync("usage: Proxy.Host hash-password [--iterations N>=1000] < password-file");
            return 2;
        }

        var password = await Console.In.ReadLineAsync();
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("hash-password: no password on standard input");
            return 2;
        }

        await Console.Out.WriteLineAsync(PasswordHasher.Hash(password, iterations));
        return 0;
    }
}
