using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Tests.Directory;

public sealed class DirectoryServiceCollectionExtensionsTests : IDisposable
{
    private readonly DirectoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AddFileDirectory_RelativePath_ResolvedAgainstContentRoot()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        using var provider = BuildProvider(Path.GetFileName(_fixture.FilePath), Path.GetDirectoryName(_fixture.FilePath)!);

        var directory = provider.GetRequiredService<IUserDirectory>();
        var result = await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryOutcome.Success, result.Outcome);
        Assert.Same(directory, provider.GetRequiredService<FileUserDirectory>());
    }

    [Fact]
    public void AddFileDirectory_NoDirectoryFile_FailsNamingTheSetting()
    {
        using var provider = BuildProvider(null, Path.GetTempPath());

        var error = Assert.Throws<DirectoryFileException>(provider.GetRequiredService<IUserDirectory>);

        Assert.Equal(["Proxy:DirectoryFile: missing (the JSON file of users)"], error.Errors);
    }

    private static ServiceProvider BuildProvider(string? directoryFile, string contentRoot)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<ProxyOptions>(o => o.DirectoryFile = directoryFile);
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment { ContentRootPath = contentRoot });
        services.AddFileDirectory();
        return services.BuildServiceProvider();
    }

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "Proxy.Core.Tests";

        public string ContentRootPath { get; set; } = "";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
