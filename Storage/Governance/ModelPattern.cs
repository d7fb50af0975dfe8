using System.Text;

namespace Storage.Governance;

/// <summary>
/// A wildcard <c>model_name</c>, as LiteLLM accepts: <c>*</c> matches any run of characters, so
/// <c>openai/*</c> serves <c>openai/gpt-4o</c> and <c>*</c> serves every model. What each <c>*</c> matched is
/// substituted, in order, into the <c>*</c>s of the deployment's <c>litellm_params.model</c>.
/// </summary>
public sealed class ModelPattern
{
    public const string Wildcard = "*";

    // Callers choose the model name; longer ones are not matched, so matching stays cheap.
    private const int MaxMatchedLength = 256;

    private readonly string[] _literals;

    public ModelPattern(string pattern)
    {
        Text = pattern;
        _literals = pattern.Split('*');
        LiteralLength = pattern.Length - (_literals.Length - 1);
    }

    public string Text { get; }

    /// <summary>How much of the pattern is not wildcard: more specific patterns are tried first.</summary>
    public int LiteralLength { get; }

    public static bool IsPattern(string modelName) => modelName.Contains('*', StringComparison.Ordinal);

    /// <summary>What each <c>*</c> matched, or null when <paramref name="model"/> does not match.</summary>
    public string[]? Match(string model)
    {
        if (model.Length > MaxMatchedLength || !model.StartsWith(_literals[0], StringComparison.Ordinal)
            || !model.EndsWith(_literals[^1], StringComparison.Ordinal) || model.Length < LiteralLength)
        {
            return null;
        }

        var captures = new string[_literals.Length - 1];
        return MatchFrom(model, _literals[0].Length, 1, captures) ? captures : null;
    }

    private bool MatchFrom(string model, int at, int literal, string[] captures)
    {
        if (literal == _literals.Length - 1)
        {
            var end = model.Length - _literals[^1].Length;
            if (end < at)
            {
                return false;
            }

            captures[literal - 1] = model[at..end];
            return true;
        }

        // Shortest match first for each wildcard, backtracking to longer ones (patterns have few wildcards).
        var next = _literals[literal];
        for (var found = model.IndexOf(next, at, StringComparison.Ordinal); found >= 0; found = model.IndexOf(next, found + 1, StringComparison.Ordinal))
        {
            captures[literal - 1] = model[at..found];
            if (MatchFrom(model, found + next.Length, literal + 1, captures))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><paramref name="template"/> with its <c>*</c>s replaced by <paramref name="captures"/> in order (the last capture repeats).</summary>
    public static string Substitute(string template, string[] captures)
    {
        if (!IsPattern(template) || captures.Length == 0)
        {
            return template;
        }

        var parts = template.Split('*');
        var text = new StringBuilder(parts[0]);
        for (var i = 1; i < parts.Length; i++)
        {
            text.Append(captures[Math.Min(i - 1, captures.Length - 1)]).Append(parts[i]);
        }

        return text.ToString();
    }
}
