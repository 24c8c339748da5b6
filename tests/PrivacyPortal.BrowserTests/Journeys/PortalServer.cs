using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Journeys;

/// <summary>The portal on a real socket with demo data, sending its mail to a real SMTP server.</summary>
public sealed class PortalServer : IDisposable
{
    public PortalServer()
    {
        Smtp = new SmtpTestServer();
        App = new PortalAppFactory(Smtp, useKestrel: true)
            .With("Auth:MaxLinksPerAddressPerHour", "100")
            .With("Auth:MaxLinksPerIpPer10Minutes", "10000")
            .Start();
    }

    public SmtpTestServer Smtp { get; }

    public PortalAppFactory App { get; }

    public Uri Address => App.ServerAddress;

    public void Dispose()
    {
        App.Dispose();
        Smtp.Dispose();
    }
}
