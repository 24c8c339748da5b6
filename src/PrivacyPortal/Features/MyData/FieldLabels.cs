using Microsoft.Extensions.Localization;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// What a person reads for a field of a store's record: "Leveringsadresse" for
/// <c>deliveryAddress</c> from the resources (MyData <c>Field.{name}</c>), and for a field nobody
/// has named yet a title made from its name ("Width mm"), never the raw key.
/// </summary>
public sealed class FieldLabels(IStringLocalizer<Localization.MyData> text)
{
    public string For(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Length == 0)
        {
            return "";
        }

        var label = text["Field." + field];
        return label.ResourceNotFound ? PersonalDataExport.FieldLabel(field) : label.Value;
    }
}
