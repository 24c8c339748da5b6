namespace PrivacyPortal.Features.Oidc;

public static class OidcEndpoints
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string Jwks = "/.well-known/jwks.json";
    public const string Authorize = "/connect/authorize";
    public const string Token = "/connect/token";
    public const string UserInfo = "/connect/userinfo";
    public const string Revocation = "/connect/revoke";
    public const string Introspection = "/connect/introspect";
    public const string EndSession = "/connect/endsession";
}
