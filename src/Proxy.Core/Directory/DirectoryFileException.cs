namespace Proxy.Core.Directory;

/// <summary>The directory file could not be read or is invalid; <see cref="Errors"/> lists every problem found.</summary>
public sealed class DirectoryFileException(string path, IReadOnlyList<string> errors)
    : Exception($"The directory file '{path}' is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}")
{
    public string Path { get; } = path;

    /// <summary>Each problem, naming the key first, e.g. <c>Users[3].Database: missing</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
