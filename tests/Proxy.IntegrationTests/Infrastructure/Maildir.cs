using System.Text;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>Writes a user's INBOX as a maildir, in the order the messages should get their UIDs.</summary>
internal static class Maildir
{
    private const long FirstTimestamp = 1_700_000_000;

    public static void WriteInbox(string home, DovecotUser user, string instanceName)
    {
        var maildir = Path.Combine(home, "Maildir");
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }

        var count = Math.Max(1, user.MessageCount);
        for (var i = 1; i <= count; i++)
        {
            var subject = i == 1 ? $"Welcome to {user.Database}" : $"Lab message {i} of {count} in {user.Database}";
            var body = i == 1
                ? $"This mailbox of {user.Name} lives in database {user.Database}, served by {instanceName}.\n"
                : $"Message {i} for {user.Name}.\n";
            WriteMessage(maildir, i, user.Name, subject, body);
        }

        if (user.LargeMessageBytes is { } size)
        {
            WriteMessage(maildir, count + 1, user.Name, $"Large message of {size} bytes", LargeBody(size));
        }
    }

    /// <summary>
    /// Dovecot assigns UIDs to new maildir files sorted by the timestamp at the front of
    /// the file name, so increasing timestamps fix the message order.
    /// </summary>
    private static void WriteMessage(string maildir, int sequence, string to, string subject, string body)
    {
        var timestamp = FirstTimestamp + sequence;
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).ToString("r");
        var message = new StringBuilder()
            .Append("From: Lab Postmaster <postmaster@contoso.lab>\n")
            .Append($"To: <{to}>\n")
            .Append($"Subject: {subject}\n")
            .Append($"Date: {date}\n")
            .Append($"Message-ID: <lab-{sequence}-{Guid.NewGuid():N}@contoso.lab>\n")
            .Append("MIME-Version: 1.0\n")
            .Append("Content-Type: text/plain; charset=us-ascii\n")
            .Append('\n')
            .Append(body)
            .ToString();
        var fileName = $"{timestamp}.M{sequence:D6}P1.lab:2,";
        File.WriteAllText(Path.Combine(maildir, "cur", fileName), message, Encoding.ASCII);
        File.SetLastWriteTimeUtc(Path.Combine(maildir, "cur", fileName), DateTime.UnixEpoch.AddSeconds(timestamp));
    }

    /// <summary>Numbered 72-character lines, so a truncated or reordered transfer is visible.</summary>
    private static string LargeBody(int size)
    {
        const int lineLength = 72;
        var body = new StringBuilder(size + lineLength);
        for (var line = 0; body.Length < size; line++)
        {
            body.Append($"{line:D10} ").Append('x', lineLength - 12).Append('\n');
        }

        return body.ToString();
    }
}
