using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Pages.Requests;

/// <summary>The model of <c>_ErasurePlan</c>: the lines, and whether they say what will happen or what happened.</summary>
public sealed record PlanView(IReadOnlyList<ErasurePlanLine> Lines, bool Done);
