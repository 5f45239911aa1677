using System.Text;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>The ports one instance listens on; 0 means the listener is closed.</summary>
internal sealed record DovecotPorts(int Imap, int ImapSsl, int Pop3, int Pop3Ssl);

/// <summary>
/// Writes a self-contained dovecot.conf: nothing from /etc/dovecot is read, every path
/// (base_dir, state_dir, log, passwd-file, mail) lives in the instance's own directory.
/// </summary>
internal static class DovecotConfig
{
    public static string Render(
        DovecotBackendOptions options,
        DovecotPorts ports,
        string directory,
        DovecotAccount account)
    {
        var imapPlainOnly = options.Listeners.HasFlag(DovecotListeners.ImapPlainOnly);
        var pop3PlainOnly = options.Listeners.HasFlag(DovecotListeners.Pop3PlainOnly);
        var protocols = new List<string>();
        if (ports.Imap != 0 || ports.ImapSsl != 0)
        {
            protocols.Add("imap");
        }

        if (ports.Pop3 != 0 || ports.Pop3Ssl != 0)
        {
            protocols.Add("pop3");
        }

        var c = new StringBuilder();
        c.AppendLine($"# Generated for the integration-test backend '{options.InstanceName}'.");
        c.AppendLine($"instance_name = proxy-test-{Path.GetFileName(directory)}");
        c.AppendLine($"base_dir = {directory}/run");
        c.AppendLine($"state_dir = {directory}/state");
        c.AppendLine($"log_path = {directory}/dovecot.log");
        c.AppendLine($"protocols = {(protocols.Count == 0 ? "none" : string.Join(' ', protocols))}");
        c.AppendLine("listen = 127.0.0.1");
        c.AppendLine($"login_greeting = {options.InstanceName} ready.");

        // Dovecot runs unprivileged as a whole (see DovecotAccount), so every internal
        // service runs as that one account and nothing may chroot.
        c.AppendLine($"default_login_user = {account.User}");
        c.AppendLine($"default_internal_user = {account.User}");
        c.AppendLine($"default_internal_group = {account.Group}");
        c.AppendLine("first_valid_uid = 1");
        foreach (var service in new[] { "ipc" })
        {
            c.AppendLine($"service {service} {{\n  chroot =\n}}");
        }

        c.AppendLine("ssl = yes");
        c.AppendLine($"ssl_cert = <{directory}/cert.pem");
        c.AppendLine($"ssl_key = <{directory}/key.pem");
        c.AppendLine("ssl_min_protocol = TLSv1.2");
        c.AppendLine($"disable_plaintext_auth = {(options.AllowPlaintextAuth ? "no" : "yes")}");
        c.AppendLine("auth_mechanisms = plain login");
        if (options.LoginTrustedNetworks is { } trusted)
        {
            c.AppendLine($"login_trusted_networks = {trusted}");
        }

        c.AppendLine("auth_verbose = yes");

        // Tests fail logins from 127.0.0.1 on purpose: no 2 s failure delay and no
        // per-IP penalty (which grows to 15 s), or every later test would crawl.
        c.AppendLine("auth_failure_delay = 0");
        c.AppendLine("service anvil {\n  chroot =\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}");
        c.AppendLine("passdb {\n  driver = passwd-file");
        c.AppendLine($"  args = scheme=PLAIN username_format=%u {directory}/passwd\n}}");
        c.AppendLine("userdb {\n  driver = static");
        c.AppendLine($"  args = home={directory}/mail/%u\n}}");
        c.AppendLine("mail_location = maildir:~/Maildir");

        // Tests open many sessions from 127.0.0.1 for the same user at once.
        c.AppendLine("mail_max_userip_connections = 1000");

        // The built-in defaults listen on 143/993/110/995: every listener is always
        // declared, with port 0 when closed.
        AppendLoginService(c, "imap-login", "imap", ports.Imap, "imaps", ports.ImapSsl);
        AppendLoginService(c, "pop3-login", "pop3", ports.Pop3, "pop3s", ports.Pop3Ssl);
        if (imapPlainOnly)
        {
            c.AppendLine("protocol imap {\n  ssl = no\n}");
        }

        if (pop3PlainOnly)
        {
            c.AppendLine("protocol pop3 {\n  ssl = no\n}");
        }

        return c.ToString();
    }

    /// <summary>passwd-file lines: <c>user:{PLAIN}password::::::</c>; the password is taken verbatim up to the next colon.</summary>
    public static string RenderPasswd(IEnumerable<DovecotUser> users)
    {
        var passwd = new StringBuilder();
        foreach (var user in users)
        {
            passwd.Append(user.Name).Append(":{PLAIN}").Append(user.Password).Append("::::::\n");
        }

        return passwd.ToString();
    }

    private static void AppendLoginService(StringBuilder c, string service, string plainName, int plainPort, string sslName, int sslPort)
    {
        c.AppendLine($"service {service} {{");
        c.AppendLine("  chroot =");
        c.AppendLine($"  inet_listener {plainName} {{\n    address = 127.0.0.1\n    port = {plainPort}\n  }}");
        c.AppendLine($"  inet_listener {sslName} {{\n    address = 127.0.0.1\n    port = {sslPort}\n    ssl = yes\n  }}");
        c.AppendLine("}");
    }
}
