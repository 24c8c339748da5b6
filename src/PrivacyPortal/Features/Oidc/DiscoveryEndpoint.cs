using System.Buffers;
using System.Text.Json;
using PrivacyPortal.Features.Oidc.StoreApi;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Oidc;

/// <summary>The endpoint paths; the discovery document names them under the issuer.</summary>
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

/// <summary>
/// Discovery (OIDC Discovery 1.0) and JWKS. The issuer comes from configuration, so the document
/// is written once; JWKS is rewritten only when the keys change.
/// </summary>
public sealed class DiscoveryDocument(OidcIssuer issuer)
{
    private readonly Lazy<byte[]> document = new(() => Write(issuer));

    public byte[] Bytes => document.Value;

    private static byte[] Write(OidcIssuer issuer)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("issuer", issuer.Issuer);
            json.WriteString("authorization_endpoint", issuer.Endpoint(OidcEndpoints.Authorize));
            json.WriteString("token_endpoint", issuer.Endpoint(OidcEndpoints.Token));
            json.WriteString("userinfo_endpoint", issuer.Endpoint(OidcEndpoints.UserInfo));
            json.WriteString("jwks_uri", issuer.Endpoint(OidcEndpoints.Jwks));
            json.WriteString("end_session_endpoint", issuer.Endpoint(OidcEndpoints.EndSession));
            json.WriteString("revocation_endpoint", issuer.Endpoint(OidcEndpoints.Revocation));
            json.WriteString("introspection_endpoint", issuer.Endpoint(OidcEndpoints.Introspection));
            Array(json, "scopes_supported", [.. OidcScopes.Identity, .. StoreApiScopes.All]);
            Array(json, "response_types_supported", ["code"]);
            Array(json, "response_modes_supported", ["query"]);
            Array(json, "grant_types_supported", ["authorization_code", "refresh_token", "client_credentials"]);
            Array(json, "subject_types_supported", ["public"]);
            Array(json, "id_token_signing_alg_values_supported", [SigningAlgorithms.Rs256]);
            Array(json, "token_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]);
            Array(json, "revocation_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]);
            Array(json, "introspection_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]);
            Array(json, "code_challenge_methods_supported", ["S256"]);
            Array(json, "prompt_values_supported", ["none", "login", "consent", "select_account"]);
            Array(json, "claims_supported", ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "sid", "name", "locale", "email", "email_verified", "privacy"]);
            Array(json, "ui_locales_supported", PortalCultures.Names);
            json.WriteBoolean("authorization_response_iss_parameter_supported", true);
            json.WriteBoolean("backchannel_logout_supported", true);
            json.WriteBoolean("backchannel_logout_session_supported", true);
            json.WriteBoolean("claims_parameter_supported", false);
            json.WriteBoolean("request_parameter_supported", false);
            json.WriteBoolean("request_uri_parameter_supported", false);
            json.WriteBoolean("require_request_uri_registration", true);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Array(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
