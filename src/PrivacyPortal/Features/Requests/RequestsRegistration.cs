using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Requests;

public static class RequestsRegistration
{
    public static WebApplicationBuilder AddRequests(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ErasurePlanner>();
        builder.Services.AddScoped<RequestTexts>();
        builder.Services.AddScoped<RequestEmails>();
        builder.Services.AddScoped<RequestWorkflow>();
        builder.Services.AddScoped<FileRequestCommand>();
        builder.Services.AddScoped<AddRequestMessageCommand>();
        builder.Services.AddScoped<AskForInformationCommand>();
        builder.Services.AddScoped<ExtendRequestCommand>();
        builder.Services.AddScoped<CarryOutRequestCommand>();
        builder.Services.AddScoped<RefuseRequestCommand>();
        builder.Services.AddScoped<CloseRequestCommand>();
        builder.Services.AddScoped<ManualRecipientTasks>();
        builder.Services.AddScoped<CompleteManualRecipientTaskCommand>();
        builder.Services.AddScoped<RecordOutsideRequestCommand>();
        builder.Services.AddScoped<RecipientTaskWriter>();
        builder.Services.AddScoped<ObjectionRestrictions>();
        builder.Services.AddScoped<DecideObjectionCommand>();
        builder.Services.AddScoped<IExportSection, RequestsExportSection>();
        builder.Services.AddDailyJobs(builder.Configuration);
        builder.Services.AddDailyJob<StaffSummaryJob>();
        return builder;
    }
}
