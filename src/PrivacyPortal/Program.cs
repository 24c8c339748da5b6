using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.MyData;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.PolicyChanges;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Reports;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

var builder = WebApplication.CreateBuilder(args);

builder.AddPortalWeb();
builder.AddPortalProxy();
builder.AddPortalLocalization();
builder.AddPortalPolicy();
builder.AddPortalData();
builder.AddPortalEmail();
builder.AddPortalAuth();
builder.AddMyData();
builder.AddPolicyChangeNotices();
builder.AddMarketingPreferences();
builder.AddCookieConsent();
builder.AddStaff();
builder.AddRequests();
builder.AddImpersonation();
builder.AddLegalHolds();
builder.AddRetention();
builder.AddPrivacyReports();
builder.AddOidcProvider();
builder.AddDemoData();

var app = builder.Build();

app.UsePortalWeb();
app.UseImpersonation();
app.UsePortalAuth();
app.MapPortalWeb();
app.MapOidcProvider();

await app.PreparePortalDatabaseAsync();
if (await app.RunStaffCommandAsync(args) is { } exitCode)
{
    return exitCode;
}

await app.RunAsync();
return 0;
