using System.Text.RegularExpressions;
using PrivacyPortal.Data;

namespace PrivacyPortal.Tests.Features.Email;

public sealed class PickupDirectoryEmailTransportTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Writes_one_parseable_eml_file_per_mail_named_by_time_and_id()
    {
        await using var host = await EmailTestHost.CreateAsync(folder.Database, folder.Path, smtpPort: 25,
            new Dictionary<string, string?> { ["Email:Transport"] = "Pickup", ["Email:PickupDirectory"] = "App_Data/mail" });
        var ids = await host.EnqueueAsync(
            ("kari.nordmann@example.no", TestMails.Norwegian("123 456")),
            ("mari.maasikas@example.ee", TestMails.Estonian()));

        Assert.Equal(2, await host.Dispatcher.DispatchDueAsync(CancellationToken.None));

        var pickup = Path.Combine(folder.Path, "App_Data", "mail");
        var files = Directory.GetFiles(pickup).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids.Select(id => $"20261122090000-{id}.eml").Order(StringComparer.Ordinal), files);
        Assert.All(files, f => Assert.Matches(new Regex(@"^\d{14}-[0-9a-f-]{36}\.eml$"), f));
        Assert.Empty(Directory.GetDirectories(Path.Combine(pickup, ".staging")));

        var nb = await ParsedMail.ReadAsync(Path.Combine(pickup, $"20261122090000-{ids[0]}.eml"));
        Assert.Equal(TestMails.NorwegianSubject, nb.Subject);
        Assert.Equal("kari.nordmann@example.no", nb.To);
        Assert.Equal("Innore privacy portal <privacy@innore.eu>", nb.From);
        Assert.Equal(["multipart/alternative", "text/plain", "text/html"], nb.PartTypes);
        Assert.Contains(TestMails.NorwegianBody, nb.Text, StringComparison.Ordinal);
        Assert.Contains("123 456", nb.Html, StringComparison.Ordinal);
        Assert.Equal($"<{ids[0]:N}@innore.eu>", nb.MessageId);
        Assert.NotNull(nb.Date);
        Assert.Empty(nb.Defects);

        var et = await ParsedMail.ReadAsync(Path.Combine(pickup, $"20261122090000-{ids[1]}.eml"));
        Assert.Equal(TestMails.EstonianSubject, et.Subject);
        Assert.Contains(TestMails.EstonianBody, et.Text, StringComparison.Ordinal);

        Assert.All(await host.AllAsync(), m => Assert.Equal(OutboxStatus.Sent, m.Status));
    }
}
