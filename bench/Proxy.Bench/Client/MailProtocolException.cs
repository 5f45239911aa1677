namespace Proxy.Bench.Client;

/// <summary>A server answered something the benchmark did not expect (NO, BAD, -ERR, garbage).</summary>
internal sealed class MailProtocolException(string message) : Exception(message);
