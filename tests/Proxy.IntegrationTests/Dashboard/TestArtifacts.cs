namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// Where tests keep files for people to look at (screenshots): the folder named by
/// <c>PROXY_TEST_ARTIFACTS</c> (tests/run.sh sets it to TestResults/artifacts, which CI keeps),
/// else <c>TestResults/artifacts</c> under the repository root.
/// </summary>
public static class TestArtifacts
{
    public const string EnvironmentVariable = "PROXY_TEST_ARTIFACTS";

    public static string Folder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(folder))
            {
                folder = Path.Combine(RepositoryRoot(), "TestResults", "artifacts");
            }

            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>The full path for an artefact named <paramref name="fileName"/> (created folder included).</summary>
    public static string PathFor(string fileName) => Path.Combine(Folder, fileName);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proxy.sln")))
            {
                return directory.FullName;
            }
        }

        // Tests run from a copy outside the repository: keep the artefacts next to the test assembly.
        return AppContext.BaseDirectory;
    }
}
