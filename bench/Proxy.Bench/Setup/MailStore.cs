using System.Text;

namespace Proxy.Bench.Setup;

/// <summary>
/// The backend's maildirs: one short message per user, and for the bulk users one message of
/// <see cref="BulkMessageBytes"/> (base64-like text in 76-character lines, the shape of a real
/// attachment), written once and copied into each bulk mailbox.
/// </summary>
internal static class MailStore
{
    /// <summary>20 MiB on disk (LF line ends); Dovecot serves it with CR LF, a little larger.</summary>
    public const int BulkMessageBytes = 20 * 1024 * 1024;

    public static void Write(string mailRoot, IEnumerable<BenchUser> users)
    {
        if (System.IO.Directory.Exists(mailRoot))
        {
            System.IO.Directory.Delete(mailRoot, recursive: true);
        }

        var bulk = Path.Combine(mailRoot, "bulk-message");
        System.IO.Directory.CreateDirectory(mailRoot);
        WriteBulkMessage(bulk);
        foreach (var user in users)
        {
            var maildir = Path.Combine(mailRoot, user.Name, "Maildir");
            foreach (var sub in new[] { "cur", "new", "tmp" })
            {
                System.IO.Directory.CreateDirectory(Path.Combine(maildir, sub));
            }

            // Flagged \Seen already, so repeated FETCH BODY[] changes nothing on the backend.
            var file = Path.Combine(maildir, "cur", "1700000001.M1P1.bench:2,S");
            if (user.BulkMessage)
            {
                File.Copy(bulk, file);
            }
            else
            {
                File.WriteAllText(file, SmallMessage(user.Name));
            }
        }
    }

    private static string SmallMessage(string user) =>
        $"From: Bench <postmaster@{BenchUsers.Domain}>\nTo: <{user}>\nSubject: Hello\n" +
        "Date: Tue, 14 Nov 2023 22:13:21 +0000\nMessage-ID: <bench-1@bench.test>\n\nA short message.\n";

    private static void WriteBulkMessage(string path)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var header = Encoding.ASCII.GetBytes(
            $"From: Bench <postmaster@{BenchUsers.Domain}>\nSubject: Bulk\nDate: Tue, 14 Nov 2023 22:13:21 +0000\n" +
            "Message-ID: <bench-bulk@bench.test>\nMIME-Version: 1.0\nContent-Type: application/octet-stream\n" +
            "Content-Transfer-Encoding: base64\n\n");
        var random = new Random(20261123);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write(header);
        var line = new byte[77];
        line[76] = (byte)'\n';
        long written = header.Length;
        while (written + line.Length <= BulkMessageBytes)
        {
            for (var i = 0; i < 76; i++)
            {
                line[i] = (byte)alphabet[random.Next(64)];
            }

            file.Write(line);
            written += line.Length;
        }
    }
}
