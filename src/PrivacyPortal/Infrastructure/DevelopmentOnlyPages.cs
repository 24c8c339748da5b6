using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace PrivacyPortal.Infrastructure;

public static class DevelopmentOnlyPages
{
    /// <summary>
    /// Outside Development, the pages in <paramref name="folderPath"/> get no route, so they answer
    /// 404 like any unknown URL and cannot be reached by a forgotten check in a page model.
    /// </summary>
    public static PageConventionCollection AddDevelopmentOnlyFolder(
        this PageConventionCollection conventions, string folderPath, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(conventions);
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsDevelopment())
        {
            conventions.AddFolderRouteModelConvention(folderPath, model => model.Selectors.Clear());
        }

        return conventions;
    }
}
