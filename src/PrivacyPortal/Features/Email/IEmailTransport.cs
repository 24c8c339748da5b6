using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>Hands one outbox message to whatever delivers it. Implementations are singletons and thread-safe.</summary>
public interface IEmailTransport
{
    /// <summary>
    /// Returns when the mail was accepted. Throws <see cref="EmailDeliveryException"/> to say whether
    /// trying again can help; any other exception counts as transient.
    /// </summary>
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);

    /// <summary>The outbox has nothing more to send for now: close what is kept open between mails.</summary>
    ValueTask CloseIdleConnectionsAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A mail was not accepted. Permanent means the same mail will be refused again (5xx).</summary>
public sealed class EmailDeliveryException : Exception
{
    public EmailDeliveryException()
    {
    }

    public EmailDeliveryException(string message)
        : base(message)
    {
    }

    public EmailDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EmailDeliveryException(string message, bool isPermanent, Exception? innerException = null)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
    }

    public bool IsPermanent { get; }
}
