using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Pages.Requests;

/// <summary>
/// The model of <c>_ErasurePlan</c>: the lines, whether they say what will happen or what happened, and the
/// day the request is due by (what will happen is said to happen by then).
/// </summary>
public sealed record PlanView(IReadOnlyList<ErasurePlanLine> Lines, bool Done, DateOnly? Due = null);
