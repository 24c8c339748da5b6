using System.Text.Json.Serialization;

namespace PrivacyPortal.Features.Oidc;

/// <summary>Source-generated serialization for the endpoint answers: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthError))]
internal sealed partial class OidcJson : JsonSerializerContext;
