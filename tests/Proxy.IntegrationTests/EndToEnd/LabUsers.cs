namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>The lab's users (samples/lab/lab.py), plus two the tests need for themselves.</summary>
internal static class LabUsers
{
    public const string Password = "Passw0rd!";

    /// <summary>Erin's password has spaces, quotes and a backslash, to break naive quoting.</summary>
    public const string ErinPassword = "a \"b\" \\c d";

    public const string Alice = "alice@contoso.lab";
    public const string Bob = "bob@contoso.lab";
    public const string Carol = "carol@contoso.lab";
    public const string Dave = "dave@contoso.lab";
    public const string Administrator = "administrator@contoso.lab";
    public const string Erin = "erin@contoso.lab";

    /// <summary>Owns the ~20 MB message; only the large-message tests read their mailbox.</summary>
    public const string Big = "big@contoso.lab";

    /// <summary>Gets new messages appended; only the IDLE test uses it, so other counts stay put.</summary>
    public const string Frank = "frank@contoso.lab";

    public const int LargeMessageBytes = 20 * 1024 * 1024;

    public const string HqDb2013 = "HQ-DB2013";
    public const string HqDb2010 = "HQ-DB2010";
    public const string HqDb2007 = "HQ-DB2007";
    public const string BrDb2010 = "BR-DB2010";

    /// <summary>Every HQ user who may use IMAP, with password and database (administrator is a well-known account, refused).</summary>
    public static readonly (string User, string Password, string Database)[] Hq =
    [
        (Alice, Password, HqDb2013),
        (Bob, Password, HqDb2010),
        (Carol, Password, HqDb2007),
        (Erin, ErinPassword, HqDb2013),
    ];

    public static string DatabaseOf(string user) =>
        user == Dave ? BrDb2010 : user == Administrator ? HqDb2013 : Hq.Single(u => u.User == user).Database;
}
