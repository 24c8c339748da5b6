using System.Text.Json.Nodes;
using static PrivacyPortal.Tests.Features.Policy.PolicyJson;

namespace PrivacyPortal.Tests.Features.Policy;

/// <summary>
/// Builds the policy of a one-company store (modelled on LanoPro, seed 003): accounting records kept
/// 10 years, other data 3 years after the last purchase or contact. Proves a new company is a new file.
/// </summary>
internal sealed class MinimalPolicy
{
    public string ControllerId { get; init; } = "lanopro";

    public int AccountingYears { get; init; } = 10;

    public int FinancialYearEndMonth { get; init; } = 12;

    public int FinancialYearEndDay { get; init; } = 31;

    public JsonObject Build() => new()
    {
        ["revision"] = "2025-01-15",
        ["effectiveDate"] = "2025-01-15",
        ["legalBases"] = new JsonArray(
            new JsonObject { ["id"] = "contract", ["kind"] = "contract", ["name"] = Text("Performance of a contract", "Oppfyllelse av avtale", "Lepingu täitmine") },
            new JsonObject { ["id"] = "legal-obligation", ["kind"] = "legalObligation", ["name"] = Text("Legal obligation", "Rettslig forpliktelse", "Juriidiline kohustus") },
            new JsonObject { ["id"] = "legitimate-interests", ["kind"] = "legitimateInterests", ["name"] = Text("Legitimate interests", "Berettiget interesse", "Õigustatud huvi") }),
        ["purposes"] = new JsonArray(
            new JsonObject { ["id"] = "deliver-and-charge", ["name"] = Text("Delivering and charging for products", "Levere og fakturere produkter", "Toodete tarnimine ja arveldamine"), ["legalBases"] = new JsonArray("contract") },
            new JsonObject { ["id"] = "accounting", ["name"] = Text("Accounting", "Regnskap", "Raamatupidamine"), ["legalBases"] = new JsonArray("legal-obligation") },
            new JsonObject { ["id"] = "communication", ["name"] = Text("Keeping in touch", "Holde kontakt", "Suhtlus"), ["legalBases"] = new JsonArray("legitimate-interests") }),
        ["retentionRules"] = new JsonArray(
            new JsonObject
            {
                ["id"] = "accounting",
                ["kind"] = "financialYear",
                ["countsFrom"] = "transaction",
                ["years"] = AccountingYears,
                ["description"] = Text($"{AccountingYears} years after the end of the financial year", $"{AccountingYears} år etter regnskapsårets slutt", $"{AccountingYears} aastat pärast majandusaasta lõppu"),
                ["law"] = Text("Norwegian Accounting Act (regnskapsloven)", "Regnskapsloven", "Norra raamatupidamisseadus (regnskapsloven)"),
            },
            new JsonObject
            {
                ["id"] = "after-last-purchase",
                ["kind"] = "years",
                ["countsFrom"] = "lastActivity",
                ["years"] = 3,
                ["description"] = Text("3 years after the last purchase", "3 år etter siste kjøp", "3 aastat pärast viimast ostu"),
            },
            new JsonObject
            {
                ["id"] = "after-last-contact",
                ["kind"] = "years",
                ["countsFrom"] = "lastContact",
                ["years"] = 3,
                ["description"] = Text("3 years after the last contact", "3 år etter siste kontakt", "3 aastat pärast viimast kontakti"),
            }),
        ["authorities"] = new JsonArray(new JsonObject
        {
            ["id"] = "datatilsynet",
            ["name"] = Text("Norwegian Data Protection Authority", "Datatilsynet", "Norra andmekaitseasutus"),
            ["country"] = "NO",
            ["address"] = "Postboks 458 Sentrum, 0105 Oslo",
            ["email"] = "postkasse@datatilsynet.no",
            ["web"] = "https://www.datatilsynet.no",
        }),
        ["cookies"] = new JsonObject
        {
            ["reconsentAfterMonths"] = 12,
            ["languagePreferenceCategory"] = "necessary",
            ["categories"] = new JsonArray(new JsonObject
            {
                ["id"] = "necessary",
                ["name"] = Text("Necessary cookies", "Nødvendige informasjonskapsler", "Vajalikud küpsised"),
                ["purpose"] = Text("Making the website work", "Får nettstedet til å virke", "Veebilehe toimimine"),
                ["consentRequired"] = false,
                ["lifetime"] = Text("Session", "Økten", "Seanss"),
                ["maxLifetimeDays"] = 1,
            }),
        },
        ["controllers"] = new JsonArray(new JsonObject
        {
            ["id"] = ControllerId,
            ["legalName"] = "LanoPro",
            ["registrationCode"] = "999 999 999",
            ["country"] = "NO",
            ["address"] = "Eksempelveien 1, 0150 Oslo",
            ["email"] = "post@lanopro.example",
            ["phone"] = "+47 40 00 15 14",
            ["privacyEmail"] = "post@lanopro.example",
            ["financialYearEnd"] = new JsonObject { ["month"] = FinancialYearEndMonth, ["day"] = FinancialYearEndDay },
            ["supervisoryAuthority"] = "datatilsynet",
            ["securityMeasures"] = Text(
                "Encrypted transmission (TLS), role-based access for staff, daily backups, confidentiality agreements.",
                "Kryptert overføring (TLS), rollebasert tilgang for ansatte, daglige sikkerhetskopier, taushetserklæringer.",
                "Krüpteeritud edastus (TLS), rollipõhine juurdepääs töötajatele, igapäevased varukoopiad, konfidentsiaalsuslepingud."),
            ["rights"] = new JsonObject
            {
                ["offered"] = new JsonArray("access", "rectification", "erasure", "complaint"),
                ["answerWithinMonths"] = 1,
                ["maxExtensionMonths"] = 2,
            },
            ["marketing"] = new JsonObject(),
            ["categories"] = new JsonArray(
                new JsonObject
                {
                    ["id"] = "financial-records",
                    ["name"] = Text("Financial records", "Regnskapsmateriale", "Raamatupidamisdokumendid"),
                    ["description"] = Text("Invoices and payments", "Fakturaer og betalinger", "Arved ja maksed"),
                    ["subjects"] = new JsonArray("consumer", "b2b"),
                    ["purposes"] = new JsonArray("deliver-and-charge", "accounting"),
                    ["retention"] = "accounting",
                    ["legalRetentionDuty"] = true,
                },
                new JsonObject
                {
                    ["id"] = "communications",
                    ["name"] = Text("Communications", "Kommunikasjon", "Suhtlus"),
                    ["description"] = Text("Emails and calls with us", "E-post og samtaler med oss", "E-kirjad ja kõned meiega"),
                    ["subjects"] = new JsonArray("consumer", "b2b"),
                    ["purposes"] = new JsonArray("communication"),
                    ["retention"] = "after-last-contact",
                    ["legalRetentionDuty"] = false,
                }),
        }),
        ["stores"] = new JsonArray(new JsonObject
        {
            ["id"] = "lanopro",
            ["controller"] = ControllerId,
            ["name"] = "LanoPro",
            ["url"] = "https://lanopro.example",
        }),
        ["portalRecords"] = PortalRecords(),
    };

    /// <summary>One rule for each kind of the portal's own records, as a small company would write them.</summary>
    public static JsonArray PortalRecords() => new(
        PortalRecord("requests", "closed", "years", 3, "delete"),
        PortalRecord("preferenceHistory", "superseded", "years", 3, "delete"),
        PortalRecord("cookieConsents", "recorded", "months", 36, "delete"),
        PortalRecord("sessions", "ended", "months", 1, "delete"),
        PortalRecord("magicLinkTokens", "expired", "months", 1, "delete"),
        PortalRecord("outboxMails", "settled", "months", 1, "delete"),
        PortalRecord("auditLog", "occurred", "years", 5, "unlink"));

    private static JsonObject PortalRecord(string record, string countsFrom, string kind, int length, string action) => new()
    {
        ["record"] = record,
        ["countsFrom"] = countsFrom,
        ["kind"] = kind,
        [kind] = length,
        ["action"] = action,
        ["description"] = Text($"{record}: {length} {kind}", $"{record}: {length} {kind}", $"{record}: {length} {kind}"),
    };

    public string Json() => Build().ToJsonString();
}
