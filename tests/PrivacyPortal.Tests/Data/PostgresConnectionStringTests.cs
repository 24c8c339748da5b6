using PrivacyPortal.Data;

namespace PrivacyPortal.Tests.Data;

/// <summary>The portal's PostgreSQL connections skip Npgsql's reset on return unless the connection string decides.</summary>
public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("Host=db;Database=portal", "Host=db;Database=portal;No Reset On Close=true")]
    [InlineData("Host=db;Database=portal;", "Host=db;Database=portal;No Reset On Close=true")]
    [InlineData("Host=db;No Reset On Close=false", "Host=db;No Reset On Close=false")]
    [InlineData("Host=db;noresetonclose=false;Database=portal", "Host=db;noresetonclose=false;Database=portal")]
    [InlineData("Host=db;No Reset On Close=true", "Host=db;No Reset On Close=true")]
    public void No_reset_on_close_is_added_unless_the_string_sets_it(string given, string used) =>
        Assert.Equal(used, DataRegistration.PostgresConnectionString(given));
}
