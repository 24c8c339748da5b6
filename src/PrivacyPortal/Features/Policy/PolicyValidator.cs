namespace PrivacyPortal.Features.Policy;

/// <summary>
/// Checks what a field-by-field read cannot: unique ids, references that resolve, and rules that
/// only make sense together (a legal retention duty needs a law, a consent needs a consent basis).
/// </summary>
internal static class PolicyValidator
{
    // EU member states plus Iceland, Liechtenstein and Norway: a transfer between them is no transfer
    // to a third country (GDPR Chapter V), whatever the company.
    private static readonly HashSet<string> EeaCountries = new(StringComparer.Ordinal)
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
        "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    };

    public static void Validate(PolicyDocument policy, PolicyProblems problems)
    {
        var legalBases = Index(policy.LegalBases, b => b.Id, "legalBases", problems);
        var purposes = Index(policy.Purposes, p => p.Id, "purposes", problems);
        var rules = Index(policy.RetentionRules, r => r.Id, "retentionRules", problems);
        var recipients = Index(policy.Recipients, r => r.Id, "recipients", problems);
        var transfers = Index(policy.Transfers, t => t.Id, "transfers", problems);
        var authorities = Index(policy.Authorities, a => a.Id, "authorities", problems);
        var cookies = Index(policy.Cookies.Categories, c => c.Id, "cookies.categories", problems);
        var controllers = Index(policy.Controllers, c => c.Id, "controllers", problems);
        Index(policy.Stores, s => s.Id, "stores", problems);

        for (var i = 0; i < policy.RetentionRules.Count; i++)
        {
            ValidateStartEvent(policy.RetentionRules[i], $"retentionRules[{i}]", problems);
        }

        ValidatePortalRecords(policy.PortalRecords, problems);

        ValidateChange(policy, problems);

        var check = new References(problems);
        for (var i = 0; i < policy.Purposes.Count; i++)
        {
            check.All(policy.Purposes[i].LegalBases, legalBases, "legal basis", $"purposes[{i}].legalBases");
        }

        for (var i = 0; i < policy.Recipients.Count; i++)
        {
            check.One(policy.Recipients[i].Controller, controllers, "controller", $"recipients[{i}].controller");
            ValidateNotification(policy.Recipients[i], $"recipients[{i}]", policy.Stores, problems);
        }

        for (var i = 0; i < policy.Transfers.Count; i++)
        {
            ValidateTransfer(policy.Transfers[i], $"transfers[{i}]", controllers, check, problems);
        }

        check.One(policy.Cookies.LanguagePreferenceCategory, cookies, "cookie category", "cookies.languagePreferenceCategory");

        for (var i = 0; i < policy.Controllers.Count; i++)
        {
            var controller = policy.Controllers[i];
            var path = $"controllers[{i}]";
            if (check.One(controller.SupervisoryAuthority, authorities, "authority", $"{path}.supervisoryAuthority") is { } competent
                && (competent.Address is null || competent.Email is null))
            {
                problems.Add($"{path}.supervisoryAuthority", $"the competent authority '{competent.Id}' needs an address and an email, as people are told where to complain");
            }

            for (var j = 0; j < controller.OtherAuthorities.Count; j++)
            {
                var other = controller.OtherAuthorities[j].Authority;
                check.One(other, authorities, "authority", $"{path}.otherAuthorities[{j}].authority");
                if (other == controller.SupervisoryAuthority)
                {
                    problems.Add($"{path}.otherAuthorities[{j}].authority", $"'{other}' is already the competent supervisory authority");
                }
            }

            ValidateSecurityMeasures(controller.SecurityMeasures, $"{path}.securityMeasures", problems);
            ValidateMarketing(controller.Marketing, $"{path}.marketing", purposes, legalBases, cookies, check, problems);

            var controllerCategories = Index(controller.Categories, c => c.Id, $"{path}.categories", problems);
            if (controller.Marketing.DirectMarketing is { } direct)
            {
                check.All(direct.CustomerCategories, controllerCategories, "category of this controller", $"{path}.marketing.directMarketing.customerCategories");
            }

            for (var j = 0; j < controller.Categories.Count; j++)
            {
                var category = controller.Categories[j];
                var categoryPath = $"{path}.categories[{j}]";
                var categoryPurposes = check.All(category.Purposes, purposes, "purpose", $"{categoryPath}.purposes");
                var rule = check.One(category.Retention, rules, "retention rule", $"{categoryPath}.retention");
                check.All(category.Recipients, recipients, "recipient", $"{categoryPath}.recipients");
                check.All(category.CookieCategories, cookies, "cookie category", $"{categoryPath}.cookieCategories");
                var categoryTransfers = check.All(category.Transfers, transfers, "transfer", $"{categoryPath}.transfers");
                for (var k = 0; k < categoryTransfers.Count; k++)
                {
                    if (categoryTransfers[k]?.ToController == controller.Id)
                    {
                        problems.Add($"{categoryPath}.transfers[{k}]", $"transfer '{categoryTransfers[k]!.Id}' goes to '{controller.Id}' itself");
                    }
                }

                if (category.ErasureGround == ErasureGround.LegalObligation && !category.LegalRetentionDuty)
                {
                    problems.Add($"{categoryPath}.erasureGround", "'legalObligation' (GDPR Art. 17(3)(b)) is a ground for keeping data after an erasure only where the category is kept under a legal retention duty (legalRetentionDuty: true); propose 'legalClaims' (Art. 17(3)(e)) instead");
                }

                if (category.LegalRetentionDuty)
                {
                    if (rule is { Law: null })
                    {
                        problems.Add($"{categoryPath}.retention", $"the category is kept under a legal retention duty, so retention rule '{rule.Id}' must name the law (field 'law')");
                    }

                    if (categoryPurposes.Count > 0 && categoryPurposes.All(p => p is not null)
                        && !categoryPurposes.Any(p => HasBasis(p!, LegalBasisKind.LegalObligation, legalBases)))
                    {
                        problems.Add($"{categoryPath}.purposes", "the category is kept under a legal retention duty, so one of its purposes must rest on a legal-obligation basis");
                    }
                }
            }
        }

        for (var i = 0; i < policy.Stores.Count; i++)
        {
            check.One(policy.Stores[i].Controller, controllers, "controller", $"stores[{i}].controller");
        }
    }

    /// <summary>A store-API task needs a company of the group with a store to pull it; a manual one needs someone to tell.</summary>
    private static void ValidateNotification(Recipient recipient, string path, IReadOnlyList<Store> stores, PolicyProblems problems)
    {
        if (recipient.Notification is not { } notification)
        {
            return;
        }

        if (notification.Method == RecipientNotificationMethod.StoreApi)
        {
            if (recipient.Controller is null)
            {
                problems.Add($"{path}.notification.method", "'storeApi' is only for a company of the group (field 'controller'); tell an outside recipient with 'manual' and a 'contact'");
            }
            // No stores at all is already reported at 'stores' (at least one is required).
            else if (stores.Count > 0 && !stores.Any(s => s.Controller == recipient.Controller))
            {
                problems.Add($"{path}.notification.method", $"'storeApi' needs a store of '{recipient.Controller}' to pull the tasks, and it has none");
            }

            if (notification.Contact is not null)
            {
                problems.Add($"{path}.notification.contact", "applies to method 'manual' only; store-API tasks go to the recipient's stores");
            }
        }
        else if (string.IsNullOrWhiteSpace(notification.Contact))
        {
            problems.Add($"{path}.notification.contact", "required for method 'manual': whom staff tell (an address, a phone number or a named contact)");
        }
    }

    /// <summary>A rule's start event must be one its kind can count from, with the settings that event needs.</summary>
    private static void ValidateStartEvent(RetentionRule rule, string path, PolicyProblems problems)
    {
        var anchor = JsonObjectReader.EnumName(rule.CountsFrom);
        if (rule.Kind == RetentionKind.FinancialYear && rule.CountsFrom != RetentionAnchor.Transaction)
        {
            problems.Add($"{path}.countsFrom", $"a financial-year rule counts from the end of the financial year of a transaction, so countsFrom must be 'transaction', not '{anchor}'");
        }

        if (RetentionAnchors.MayLieAhead(rule.CountsFrom) != rule.StartsUpToYearsAhead.HasValue)
        {
            problems.Add($"{path}.startsUpToYearsAhead", rule.StartsUpToYearsAhead.HasValue
                ? $"only an event that may lie ahead (complaintPeriodEnd) takes startsUpToYearsAhead; '{anchor}' has happened when it is reported"
                : $"required for countsFrom '{anchor}': how many years ahead a store may date the end of the period");
        }

        if ((rule.CountsFrom == RetentionAnchor.RelationshipEnd) != rule.ActiveWithinMonths.HasValue)
        {
            problems.Add($"{path}.activeWithinMonths", rule.ActiveWithinMonths.HasValue
                ? $"only a rule counting from 'relationshipEnd' takes activeWithinMonths, not '{anchor}'"
                : "required for countsFrom 'relationshipEnd': the months within which an order, a sign-in or a store's word keeps the relationship active");
        }
    }

    /// <summary>Every kind of the portal's own records has exactly one rule; the audit log is only ever unlinked.</summary>
    private static void ValidatePortalRecords(IReadOnlyList<PortalRecordRule> rules, PolicyProblems problems)
    {
        var seen = new Dictionary<PortalRecordKind, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var path = $"portalRecords[{i}]";
            if (!seen.TryAdd(rule.Record, i))
            {
                problems.Add($"{path}.record", $"'{JsonObjectReader.EnumName(rule.Record)}' already has a rule at portalRecords[{seen[rule.Record]}]");
            }

            var expected = PortalRecordRule.StartEventOf(rule.Record);
            if (rule.CountsFrom != expected)
            {
                problems.Add($"{path}.countsFrom", $"'{JsonObjectReader.EnumName(rule.Record)}' counts from '{JsonObjectReader.EnumName(expected)}'");
            }

            var mustUnlink = PortalRecordRule.OutlivesThePerson(rule.Record);
            if (mustUnlink != (rule.Action == PortalRecordAction.Unlink))
            {
                problems.Add($"{path}.action", mustUnlink
                    ? $"'{JsonObjectReader.EnumName(rule.Record)}' is append-only and outlives the person: its action must be 'unlink'"
                    : $"'{JsonObjectReader.EnumName(rule.Record)}' is deleted when its retention ends: its action must be 'delete'");
            }
        }

        foreach (var kind in Enum.GetValues<PortalRecordKind>().Where(k => !seen.ContainsKey(k)))
        {
            problems.Add("portalRecords", $"no rule for '{JsonObjectReader.EnumName(kind)}'; the portal keeps none of its own records forever");
        }
    }

    // Only what the file alone can tell. Whether the notice period still fits when the revision is
    // first loaded depends on the day, so PolicyChangeAnnouncement checks that at start-up.
    private static void ValidateChange(PolicyDocument policy, PolicyProblems problems)
    {
        if (policy.Change is not { } change)
        {
            return;
        }

        if (change.PreviousRevision.Length > 0 && change.PreviousRevision == policy.Revision)
        {
            problems.Add("change.previousRevision", $"'{change.PreviousRevision}' is this revision; name the revision it replaces");
        }

        if (change.PreviousEffectiveDate >= policy.EffectiveDate && policy.EffectiveDate != default)
        {
            problems.Add("change.previousEffectiveDate", $"{change.PreviousEffectiveDate:yyyy-MM-dd} is not before this revision's effectiveDate {policy.EffectiveDate:yyyy-MM-dd}");
        }

        if (change.Material && policy.ChangeNoticeDays is null)
        {
            problems.Add("changeNoticeDays", "required when 'change.material' is true: the number of days before the effective date people are told of the change");
        }
    }

    private static void ValidateTransfer(
        DataTransfer transfer,
        string path,
        Dictionary<string, DataController> controllers,
        References check,
        PolicyProblems problems)
    {
        var receiver = check.One(transfer.ToController, controllers, "controller", $"{path}.toController");
        if (receiver is not null && transfer.Country is not null && receiver.Country.Length > 0 && receiver.Country != transfer.Country)
        {
            problems.Add($"{path}.country", $"'{transfer.Country}' differs from the country of controller '{receiver.Id}' ({receiver.Country})");
        }

        var country = transfer.Country ?? receiver?.Country;
        if (transfer.Safeguards.Contains(TransferSafeguard.WithinEea) && (country is null || !EeaCountries.Contains(country)))
        {
            problems.Add($"{path}.safeguards", country is null
                ? "'withinEea' needs the destination 'country'"
                : $"'withinEea' does not hold: '{country}' is not in the EU/EEA; name a Chapter V safeguard instead");
        }
    }

    /// <summary>The shortest text that can still name the measures (Art. 30(1)(g)), not a placeholder like "TLS".</summary>
    public const int MinSecurityMeasuresLength = 40;

    private static void ValidateSecurityMeasures(LocalizedText measures, string path, PolicyProblems problems)
    {
        foreach (var culture in LocalizedText.RequiredCultures)
        {
            // A missing or empty translation is reported by the reader already.
            if (measures.Texts.TryGetValue(culture, out var text) && text.Trim().Length < MinSecurityMeasuresLength)
            {
                problems.Add($"{path}.{culture}", $"too short to describe the technical and organisational security measures of the record of processing (Art. 30(1)(g)): {text.Trim().Length} characters, at least {MinSecurityMeasuresLength}");
            }
        }
    }

    private static void ValidateMarketing(
        MarketingSettings marketing,
        string path,
        Dictionary<string, Purpose> purposes,
        Dictionary<string, LegalBasis> legalBases,
        Dictionary<string, CookieCategory> cookies,
        References check,
        PolicyProblems problems)
    {
        if (marketing.Newsletter is { } newsletter)
        {
            check.One(newsletter.Purpose, purposes, "purpose", $"{path}.newsletter.purpose");
        }

        // Art. 21(3): direct marketing on legitimate interest is what a person can object to per channel.
        if (marketing.DirectMarketing is { } direct
            && check.One(direct.Purpose, purposes, "purpose", $"{path}.directMarketing.purpose") is { } directPurpose
            && !HasBasis(directPurpose, LegalBasisKind.LegitimateInterests, legalBases))
        {
            problems.Add($"{path}.directMarketing.purpose", $"purpose '{directPurpose.Id}' must rest on a legitimate-interests basis, as direct marketing here is objection-based");
        }

        Index(marketing.Consents, c => c.Id, $"{path}.consents", problems);
        for (var i = 0; i < marketing.Consents.Count; i++)
        {
            var consent = marketing.Consents[i];
            var consentPath = $"{path}.consents[{i}]";
            if (check.One(consent.Purpose, purposes, "purpose", $"{consentPath}.purpose") is { } purpose
                && !HasBasis(purpose, LegalBasisKind.Consent, legalBases))
            {
                problems.Add($"{consentPath}.purpose", $"purpose '{purpose.Id}' must rest on a consent basis to be asked for as a consent");
            }

            if (check.One(consent.CookieCategory, cookies, "cookie category", $"{consentPath}.cookieCategory") is { ConsentRequired: false } necessary)
            {
                problems.Add($"{consentPath}.cookieCategory", $"cookie category '{necessary.Id}' needs no consent, so no consent can stand for it");
            }
        }
    }

    private static bool HasBasis(Purpose purpose, LegalBasisKind kind, Dictionary<string, LegalBasis> legalBases) =>
        purpose.LegalBases.Any(id => legalBases.TryGetValue(id, out var basis) && basis.Kind == kind);

    private static Dictionary<string, T> Index<T>(IReadOnlyList<T> items, Func<T, string> id, string path, PolicyProblems problems)
    {
        var index = new Dictionary<string, T>(StringComparer.Ordinal);
        var firstAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var key = id(items[i]);
            if (key.Length == 0)
            {
                continue;
            }

            if (firstAt.TryGetValue(key, out var first))
            {
                problems.Add($"{path}[{i}].id", $"duplicate id '{key}'; already used by {path}[{first}]");
                continue;
            }

            firstAt[key] = i;
            index[key] = items[i];
        }

        return index;
    }

    private sealed class References(PolicyProblems problems)
    {
        /// <summary>Resolves an optional reference; null when absent or unknown (and then reported).</summary>
        public T? One<T>(string? id, Dictionary<string, T> known, string what, string path)
            where T : class
        {
            if (string.IsNullOrEmpty(id))
            {
                return null;
            }

            if (known.TryGetValue(id, out var found))
            {
                return found;
            }

            var defined = known.Count == 0 ? "none are defined" : $"defined: {string.Join(", ", known.Keys)}";
            problems.Add(path, $"unknown {what} '{id}'; {defined}");
            return null;
        }

        public List<T?> All<T>(IReadOnlyList<string> ids, Dictionary<string, T> known, string what, string path)
            where T : class
        {
            return [.. ids.Select((id, i) => One(id, known, what, $"{path}[{i}]"))];
        }
    }
}
