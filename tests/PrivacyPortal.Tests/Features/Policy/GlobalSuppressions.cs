using System.Diagnostics.CodeAnalysis;

// Directory.Build.props means to allow underscores in xunit test names (its comment says so) but its
// NoWarn list lacks CA1707; scoped here until that is fixed for the whole test project.
[assembly: SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "xunit test names read as sentences", Scope = "namespaceanddescendants", Target = "~N:PrivacyPortal.Tests.Features.Policy")]
