using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Tests.Localization;

/// <summary>The cache of found strings keeps each language apart and never keeps what the resources lack.</summary>
public sealed class CachingStringLocalizerFactoryTests
{
    private static IStringLocalizer MyData() =>
        new CachingStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance)
            .Create(typeof(PrivacyPortal.Localization.MyData));

    [Fact]
    public void A_string_read_in_one_language_is_not_served_in_another()
    {
        var localizer = MyData();
        using (new CultureScope(CultureInfo.GetCultureInfo("nb")))
        {
            Assert.Equal("Mine data", localizer["MyData.Title"].Value);
            Assert.Equal("Mine data", localizer["MyData.Title"].Value);
        }

        using (new CultureScope(CultureInfo.GetCultureInfo("en")))
        {
            Assert.Equal("My data", localizer["MyData.Title"].Value);
        }

        using (new CultureScope(CultureInfo.GetCultureInfo("et")))
        {
            Assert.Equal("Minu andmed", localizer["MyData.Title"].Value);
        }

        using (new CultureScope(CultureInfo.GetCultureInfo("nb")))
        {
            Assert.Equal("Mine data", localizer["MyData.Title"].Value);
        }
    }

    [Fact]
    public void Arguments_are_formatted_in_the_culture_of_the_request()
    {
        var localizer = MyData();
        using (new CultureScope(CultureInfo.GetCultureInfo("nb")))
        {
            Assert.Equal("1,5 registreringer", localizer["MyData.Records.Other", 1.5].Value);
        }

        using (new CultureScope(CultureInfo.GetCultureInfo("en")))
        {
            Assert.Equal("1.5 records", localizer["MyData.Records.Other", 1.5].Value);
        }
    }

    [Fact]
    public void A_key_the_resources_lack_is_reported_missing_every_time()
    {
        var localizer = MyData();
        using (new CultureScope(CultureInfo.GetCultureInfo("en")))
        {
            var first = localizer["MyData.NoSuchKey"];
            var second = localizer["MyData.NoSuchKey"];
            Assert.True(first.ResourceNotFound);
            Assert.True(second.ResourceNotFound);
            Assert.Equal("MyData.NoSuchKey", second.Value);
        }
    }

    [Fact]
    public void The_factory_hands_out_one_localizer_per_resource()
    {
        var factory = new CachingStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);
        Assert.Same(factory.Create(typeof(PrivacyPortal.Localization.MyData)), factory.Create(typeof(PrivacyPortal.Localization.MyData)));
    }
}
