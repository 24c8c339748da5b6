namespace PrivacyPortal.Localization;

// Marker types for IStringLocalizer<T>. Each names one resource set in the top-level localization/
// folder (localization/{Name}.resx, .nb.resx, .et.resx), embedded as PrivacyPortal.Localization.{Name}.

/// <summary>Layout, navigation, errors and words every page uses.</summary>
public sealed class SharedResource;

/// <summary>Sign-in pages and the sign-in emails.</summary>
public sealed class Login;

/// <summary>The my-data view and the export.</summary>
public sealed class MyData;

/// <summary>Requests and complaints: the person's pages and the emails about requests.</summary>
public sealed class Requests;

/// <summary>The staff area: sign-in second factor, queue, request handling, retention report, staff emails.</summary>
public sealed class Staff;

/// <summary>Staff viewing as a customer: the banner, the refusal page, the customer's list and email, the staff pages.</summary>
public sealed class Impersonation;

/// <summary>Marketing preferences, objections and consents, the unsubscribe page and their emails.</summary>
public sealed class Preferences;

/// <summary>The cookie banner, the cookie settings page and the footer link to it.</summary>
public sealed class Cookies;

/// <summary>The privacy officer's record of processing activities and reports.</summary>
public sealed class Reports;
