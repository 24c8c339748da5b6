// The top-level statements in Program.cs compile to an internal Program class; tests need it public
// to host the app with WebApplicationFactory<Program>.
#pragma warning disable CA1050 // Program lives in the global namespace because the top-level statements put it there.
public partial class Program;
#pragma warning restore CA1050
