using System.Globalization;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// The operator's way in on a new installation, where no staff member exists yet to invite the
/// first: <c>PrivacyPortal staff invite &lt;email&gt; &lt;role&gt; [name]</c>. It runs with the
/// portal's own configuration (database, Data Protection keys, mail), queues the same one-time
/// invitation mail the staff members page sends and exits; the running portal delivers it. The
/// token is never printed: only the invitee's mailbox and their magic-link sign-in open it, and
/// the authenticator they enrol is the second factor. The audit log names the command line.
/// </summary>
public static class StaffCommandLine
{
    public const string Usage = "Usage: PrivacyPortal staff invite <email> <Support|PrivacyOfficer|Admin> [display name]";

    /// <summary>Runs a staff command when <paramref name="args"/> name one; null when they do not (the portal starts).</summary>
    public static async Task<int?> RunStaffCommandAsync(this IHost app, string[] args)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "staff")
        {
            return null;
        }

        await using var scope = app.Services.CreateAsyncScope();
        return await RunAsync(scope.ServiceProvider, args, Console.Out, CancellationToken.None);
    }

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length is < 4 or > 5 || args[0] != "staff" || args[1] != "invite")
        {
            await output.WriteLineAsync(Usage);
            return 2;
        }

        var (email, role, name) = (args[2], args[3], args.Length == 5 ? args[4] : null);
        var outcome = await services.GetRequiredService<InviteStaffMemberCommand>()
            .ExecuteAsync(null, email, name, role, cancellationToken);
        var message = outcome switch
        {
            InviteStaffMemberCommand.Outcome.Invited => string.Create(CultureInfo.InvariantCulture,
                $"Invitation for {email} ({role}) queued; the portal mails it. It works once, within the invitation lifetime (Staff:SecondFactor:InvitationLifetime)."),
            InviteStaffMemberCommand.Outcome.InvalidEmail => $"Not an email address: {email}",
            InviteStaffMemberCommand.Outcome.InvalidRole => $"Unknown role {role}. {Usage}",
            InviteStaffMemberCommand.Outcome.NotStaffAccount => $"{email} is a customer's account; staff need an address of their own.",
            InviteStaffMemberCommand.Outcome.AlreadyEnrolled => $"{email} has enrolled an authenticator already; a privacy officer or admin resets it on the staff members page.",
            _ => outcome.ToString(),
        };
        await output.WriteLineAsync(message);
        return outcome == InviteStaffMemberCommand.Outcome.Invited ? 0 : 1;
    }
}
