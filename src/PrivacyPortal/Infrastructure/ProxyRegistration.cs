using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PrivacyPortal.Infrastructure;

/// <summary>The reverse proxies (load balancers) in front of the portal.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>
    /// Addresses of proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, e.g. <c>10.0.0.5</c>.
    /// From anyone else the headers are ignored: a client could otherwise pick its own IP address and
    /// walk around the per-IP sign-in limit.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks of such proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies in a row may add an entry; the client is the one before them.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;
}

public static class ProxyRegistration
{
    /// <summary>
    /// Honours forwarded headers from the configured proxies only, as the first step of the pipeline
    /// (before anything reads the client address or the scheme). With no proxy configured, nothing is
    /// forwarded. The public host name never comes from headers: links use Portal:PublicBaseUrl.
    /// </summary>
    public static WebApplicationBuilder AddPortalProxy(this WebApplicationBuilder builder)
    {
        var proxy = builder.Configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
        builder.Services.AddOptions<ProxyOptions>()
            .Bind(builder.Configuration.GetSection(ProxyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (proxy.KnownProxies.Count == 0 && proxy.KnownNetworks.Count == 0)
        {
            return builder;
        }

        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = proxy.ForwardLimit;
            // The defaults trust loopback; only what is configured is trusted here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in proxy.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(address));
            }

            foreach (var network in proxy.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        builder.Services.AddTransient<IStartupFilter, ForwardedHeadersStartupFilter>();
        return builder;
    }

    /// <summary>Puts the middleware in front of everything Program.cs adds, so one line there is enough.</summary>
    private sealed class ForwardedHeadersStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }
}
