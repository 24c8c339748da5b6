using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>What a store reads in <c>amr</c> for each way of signing in to the portal.</summary>
public sealed class AuthenticationMethodsTests
{
    [Theory]
    [InlineData("magic-link", new[] { "magic_link" })]
    [InlineData("code", new[] { "otp" })]
    // Staff may sign in to a store too; with their authenticator code that is two factors.
    [InlineData("magic-link" + StaffSecondFactor.MethodSuffix, new[] { "magic_link", "otp", "mfa" })]
    [InlineData("code" + StaffSecondFactor.MethodSuffix, new[] { "otp", "mfa" })]
    public void Each_sign_in_method_has_its_amr(string method, string[] amr)
    {
        Assert.Equal(amr, AuthenticationMethods.ToAmr(method));
    }
}
