namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>The backend-hygiene classes share one Dovecot and run one after another, so each reads only its own lines of the Dovecot log.</summary>
[CollectionDefinition(Name)]
public sealed class BackendHygieneCollection : ICollectionFixture<BackendHygieneFixture>
{
    public const string Name = "BackendHygiene";
}
