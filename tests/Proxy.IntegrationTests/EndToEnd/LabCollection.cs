namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// Every end-to-end class shares one lab: starting five Dovecot instances and two proxies
/// once keeps the folder fast. Tests in one collection run one after another, which the
/// log comparisons (entries before/after a login) rely on.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "Lab";
}
