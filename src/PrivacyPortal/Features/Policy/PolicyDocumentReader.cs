using System.Text.Json;

namespace PrivacyPortal.Features.Policy;

/// <summary>Turns the JSON of a policy file into a <see cref="PolicyDocument"/>, field by field.</summary>
internal static class PolicyDocumentReader
{
    public static PolicyDocument Read(JsonElement root, PolicyProblems problems) =>
        JsonObjectReader.Read(root, string.Empty, problems, r => new PolicyDocument(
            Revision: r.String("revision"),
            EffectiveDate: r.Date("effectiveDate"),
            ChangeNoticeDays: r.OptionalInt("changeNoticeDays", min: 1, max: 365),
            Change: r.OptionalObject("change", ReadChange),
            LegalBases: r.Objects("legalBases", ReadLegalBasis, minCount: 1),
            Purposes: r.Objects("purposes", ReadPurpose, minCount: 1),
            RetentionRules: r.Objects("retentionRules", ReadRetentionRule, minCount: 1),
            Recipients: r.Objects("recipients", ReadRecipient, required: false),
            Transfers: r.Objects("transfers", ReadTransfer, required: false),
            Authorities: r.Objects("authorities", ReadAuthority, minCount: 1),
            Cookies: r.Object("cookies", ReadCookies),
            Controllers: r.Objects("controllers", ReadController, minCount: 1),
            Stores: r.Objects("stores", ReadStore, minCount: 1),
            PortalRecords: r.Objects("portalRecords", ReadPortalRecordRule, minCount: 1)));

    private static PortalRecordRule ReadPortalRecordRule(JsonObjectReader r)
    {
        var kind = r.Enum<RetentionKind>("kind");
        var rule = new PortalRecordRule(
            Record: r.Enum<PortalRecordKind>("record"),
            CountsFrom: r.Enum<PortalRecordEvent>("countsFrom"),
            Kind: kind,
            Years: r.OptionalInt("years", min: 1, max: 100),
            Months: r.OptionalInt("months", min: 1, max: 1200),
            Action: r.Enum<PortalRecordAction>("action"),
            Description: r.Text("description"));
        if (!r.IsAbsent && r.HasValue("kind"))
        {
            var needed = kind switch { RetentionKind.Months => "months", RetentionKind.Years => "years", _ => null };
            if (needed is null)
            {
                r.Problems.Add(r.ChildPath("kind"), "the portal's own records are kept for whole years or months: 'years' or 'months'");
            }
            else if (!r.HasValue(needed) || r.HasValue(needed == "years" ? "months" : "years"))
            {
                r.Problems.Add(r.ChildPath(needed), $"kind '{needed}' takes exactly one length, '{needed}'");
            }
        }

        return rule;
    }

    private static PolicyChange ReadChange(JsonObjectReader r) => new(
        r.Bool("material"),
        r.Text("summary"),
        r.String("previousRevision"),
        r.Date("previousEffectiveDate"));

    private static LegalBasis ReadLegalBasis(JsonObjectReader r) => new(
        r.Id("id"),
        r.Enum<LegalBasisKind>("kind"),
        r.Text("name"));

    private static Purpose ReadPurpose(JsonObjectReader r) => new(
        r.Id("id"),
        r.Text("name"),
        r.IdList("legalBases", minCount: 1));

    private static RetentionRule ReadRetentionRule(JsonObjectReader r)
    {
        var id = r.Id("id");
        var kind = r.EnumOrNull<RetentionKind>("kind");
        var rule = new RetentionRule(
            Id: id,
            Kind: kind ?? default,
            CountsFrom: r.Enum<RetentionAnchor>("countsFrom"),
            Years: r.OptionalInt("years", min: 0, max: 100),
            Months: r.OptionalInt("months", min: 1, max: 1200),
            Description: r.Text("description"),
            Law: r.OptionalText("law"),
            EndsOnWithdrawal: r.Bool("endsOnWithdrawal", defaultValue: false),
            StartsUpToYearsAhead: r.OptionalInt("startsUpToYearsAhead", min: 1, max: 10),
            ActiveWithinMonths: r.OptionalInt("activeWithinMonths", min: 1, max: 120));

        // Each kind takes exactly one length, so a rule never silently means something else.
        if (kind is { } known && !r.IsAbsent)
        {
            var (needed, unused) = known == RetentionKind.Months ? ("months", "years") : ("years", "months");
            var kindName = JsonObjectReader.EnumName(known);
            if (!r.HasValue(needed))
            {
                r.Problems.Add(r.ChildPath(needed), $"required for kind '{kindName}'");
            }

            if (r.HasValue(unused))
            {
                r.Problems.Add(r.ChildPath(unused), $"does not apply to kind '{kindName}'; use '{needed}'");
            }
        }

        return rule;
    }

    private static Recipient ReadRecipient(JsonObjectReader r) => new(
        r.Id("id"),
        r.Text("name"),
        r.Text("description"),
        r.OptionalString("controller"),
        // Missing or with an unknown method (already reported), it is null, so the validator adds nothing about it.
        r.Object("notification", n =>
        {
            var method = n.EnumOrNull<RecipientNotificationMethod>("method");
            var contact = n.OptionalString("contact");
            return n.IsAbsent || method is null ? null : new RecipientNotification(method.Value, contact);
        }));

    private static DataTransfer ReadTransfer(JsonObjectReader r) => new(
        r.Id("id"),
        r.OptionalCountry("country"),
        r.OptionalString("toController"),
        r.Bool("intraGroup", defaultValue: false),
        r.EnumList<TransferSafeguard>("safeguards", minCount: 1),
        r.Text("description"));

    private static SupervisoryAuthority ReadAuthority(JsonObjectReader r) => new(
        r.Id("id"),
        r.Text("name"),
        r.Country("country"),
        r.OptionalString("address"),
        r.OptionalEmail("email"),
        r.Url("web"));

    private static CookiePolicy ReadCookies(JsonObjectReader r) => new(
        r.Int("reconsentAfterMonths", min: 1, max: 12),
        r.String("languagePreferenceCategory"),
        r.Objects("categories", ReadCookieCategory, minCount: 1));

    private static CookieCategory ReadCookieCategory(JsonObjectReader r) => new(
        r.Id("id"),
        r.Text("name"),
        r.Text("purpose"),
        r.Bool("consentRequired"),
        r.Text("lifetime"),
        r.Int("maxLifetimeDays", min: 1, max: 3650));

    private static DataController ReadController(JsonObjectReader r) => new(
        Id: r.Id("id"),
        LegalName: r.String("legalName"),
        RegistrationCode: r.String("registrationCode"),
        Country: r.Country("country"),
        Address: r.String("address"),
        Email: r.Email("email"),
        Phone: r.Phone("phone"),
        PrivacyEmail: r.Email("privacyEmail"),
        FinancialYearEnd: r.Object("financialYearEnd", ReadFinancialYearEnd),
        SupervisoryAuthority: r.String("supervisoryAuthority"),
        OtherAuthorities: r.Objects("otherAuthorities", ReadOtherAuthority, required: false),
        AutomatedDecisions: r.Text("automatedDecisions"),
        Rights: r.Object("rights", ReadRights),
        Marketing: r.Object("marketing", ReadMarketing),
        Categories: r.Objects("categories", ReadCategory, minCount: 1),
        SecurityMeasures: r.Text("securityMeasures"),
        TimeZone: r.TimeZone("timeZone"));

    private static FinancialYearEnd ReadFinancialYearEnd(JsonObjectReader r)
    {
        var month = r.Int("month", min: 1, max: 12);
        var day = r.Int("day", min: 1, max: 31);

        // 29 February is allowed and means the last day of February in common years too.
        if (day > DateTime.DaysInMonth(2024, month))
        {
            r.Problems.Add(r.ChildPath("day"), $"month {month} has no day {day}");
            day = DateTime.DaysInMonth(2024, month);
        }

        return new FinancialYearEnd(month, day);
    }

    private static OtherAuthority ReadOtherAuthority(JsonObjectReader r) => new(
        r.String("authority"),
        r.Text("when"));

    private static RightsSettings ReadRights(JsonObjectReader r) => new(
        r.EnumList<DataSubjectRight>("offered", minCount: 1),
        // GDPR Art. 12(3): one month to answer, at most two more; a policy cannot promise the law away.
        r.Int("answerWithinMonths", min: 1, max: 1),
        r.Int("maxExtensionMonths", min: 0, max: 2));

    private static MarketingSettings ReadMarketing(JsonObjectReader r) => new(
        r.OptionalObject("newsletter", n => new Newsletter(n.String("purpose"), n.Text("name"), n.Text("description"))),
        r.OptionalObject("directMarketing", d => new DirectMarketing(d.String("purpose"), d.EnumList<MarketingChannel>("channels", minCount: 1), d.IdList("customerCategories", required: false))),
        r.Objects("consents", ReadConsent, required: false));

    private static ConsentDefinition ReadConsent(JsonObjectReader r) => new(
        r.Id("id"),
        r.String("purpose"),
        r.Text("title"),
        r.Text("text"),
        r.OptionalString("cookieCategory"));

    private static DataCategory ReadCategory(JsonObjectReader r) => new(
        Id: r.Id("id"),
        Name: r.Text("name"),
        Description: r.Text("description"),
        Source: r.Text("source"),
        Subjects: r.EnumList<SubjectKind>("subjects", minCount: 1),
        Purposes: r.IdList("purposes", minCount: 1),
        Retention: r.String("retention"),
        LegalRetentionDuty: r.Bool("legalRetentionDuty"),
        Recipients: r.IdList("recipients", required: false),
        Transfers: r.IdList("transfers", required: false),
        CookieCategories: r.IdList("cookieCategories", required: false),
        Anonymisation: r.OptionalObject("anonymisation", a => new Anonymisation(a.IdList("keepFields", minCount: 1))),
        ErasureGround: r.OptionalEnum<ErasureGround>("erasureGround"));

    private static Store ReadStore(JsonObjectReader r) => new(
        r.Id("id"),
        r.String("controller"),
        r.String("name"),
        r.Url("url"));
}
