namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// One row of a protocol log, in Exchange 2013's columns. Kept as values and formatted by the
/// writer, so a session pays for a struct copy, not for the CSV text.
/// </summary>
/// <param name="Duration">Milliseconds the row covers: a command to its response, the relay, the session.</param>
/// <param name="RequestSize">Bytes from the client (a command line with its literals and SASL lines; the relay's client-to-backend bytes).</param>
/// <param name="ResponseSize">Bytes to the client.</param>
internal readonly record struct ProtocolLogRow(
    DateTimeOffset DateTime,
    string SessionId,
    int SeqNumber,
    string? ServerIp,
    string? ClientIp,
    string? User,
    long Duration,
    long RequestSize,
    long ResponseSize,
    string Command,
    string? Parameters,
    string? Context);
