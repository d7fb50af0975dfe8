using System.Text.RegularExpressions;

namespace TraceUi.Tests;

/// <summary>The Gateway section's forms as a browser posts them, and the secret the answer shows once.</summary>
internal static partial class GatewayForms
{
    public static Dictionary<string, string> CreateKey(string alias, string models = "", string maxBudget = "") => new()
    {
        ["_handler"] = "create-key",
        ["Form.KeyAlias"] = alias,
        ["Form.Models"] = models,
        ["Form.MaxBudget"] = maxBudget,
    };

    [GeneratedRegex("data-testid=\"issued-secret\">([^<]+)<")]
    public static partial Regex IssuedSecret();
}
