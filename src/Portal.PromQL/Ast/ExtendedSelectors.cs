namespace Portal.PromQL.Ast;

/// <summary>
/// Rules of the experimental <c>anchored</c>/<c>smoothed</c> range-selector modifiers that Prometheus enforces at
/// evaluation time (upstream scripts expect these queries to parse and then fail). Thread-safe.
/// </summary>
public static class ExtendedSelectors
{
    private static readonly string[] AnchoredFunctions = ["changes", "delta", "increase", "rate", "resets"];
    private static readonly string[] SmoothedFunctions = ["delta", "increase", "rate"];

    /// <summary>
    /// The error for a call whose range-vector argument carries a modifier the function does not support
    /// (e.g. <c>smoothed modifier can only be used with: delta, increase, rate - not with deriv</c>), or null.
    /// </summary>
    public static string? ValidateCall(Call call)
    {
        foreach (var arg in call.Args)
        {
            if (arg is not MatrixSelector { VectorSelector: var vs }) continue;
            if (vs.Anchored && Array.IndexOf(AnchoredFunctions, call.Func.Name) < 0)
                return $"anchored modifier can only be used with: {string.Join(", ", AnchoredFunctions)} - not with {call.Func.Name}";
            if (vs.Smoothed && Array.IndexOf(SmoothedFunctions, call.Func.Name) < 0)
                return $"smoothed modifier can only be used with: {string.Join(", ", SmoothedFunctions)} - not with {call.Func.Name}";
        }
        return null;
    }
}
