using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Impersonation;

/// <summary>Starting a view as customer from the staff page of a person, as staff do, and a database snapshot to prove nothing changed.</summary>
public static class ImpersonationFlows
{
    public const string Reason = "Customer asks why an order is missing from my data";
    public const string Ticket = "CS-1042";

    public static async Task<HttpResponseMessage> StartAsync(CookieAwareClient staff, Guid customerId, string? reason = Reason, string? ticket = Ticket)
    {
        var form = await PortalHost.FormAsync(staff, $"/staff/people/{customerId}", "#view-as-form");
        if (reason is not null)
        {
            form.Set("Input.Reason", reason);
        }

        if (ticket is not null)
        {
            form.Set("Input.Ticket", ticket);
        }

        return await form.SubmitAsync();
    }

    /// <summary>Starts and asserts it worked: the staff member lands on the customer's my-data.</summary>
    public static async Task<string> StartedAsync(CookieAwareClient staff, Guid customerId)
    {
        using var response = await StartAsync(staff, customerId);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Start answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/(en|nb|et)/my-data$", location);
        return location;
    }

    /// <summary>Presses Stop in the banner of <paramref name="pageUrl"/>.</summary>
    public static async Task<HttpResponseMessage> StopAsync(CookieAwareClient staff, string pageUrl)
    {
        var form = await PortalHost.FormAsync(staff, pageUrl, "#impersonation-banner form");
        return await form.SubmitAsync();
    }

    /// <summary>
    /// Every row of every table, except the audit log (which records the refusals) and the
    /// columns that track activity of the staff member's own session and of the mail dispatcher.
    /// </summary>
    public static string Snapshot(PortalHost host)
    {
        // The app's own provider and connection string, so the snapshot works on SQLite and PostgreSQL alike.
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = db.Database.IsNpgsql()
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables.Where(t => t != "AuditEvents"))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            using var reader = select.ExecuteReader();
            text.Append("## ").AppendLine(table);
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var column = reader.GetName(i);
                    if ((table == "Sessions" && column == "LastSeenAt")
                        || (table == "OutboxMessages" && column is not ("Id" or "To" or "Subject" or "Kind")))
                    {
                        continue;
                    }

                    text.Append(column).Append('=').Append(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                text.AppendLine();
            }
        }

        connection.Close();
        return text.ToString();
    }
}
