using System.Text;

namespace TraceIngest.Worker;

/// <summary>Langfuse's environment rule: lower case, no leading "langfuse", at most 40 of [a-z0-9-_], else "default".</summary>
public static class EnvironmentName
{
    public const string Default = Storage.TraceStore.Rows.TraceRow.DefaultEnvironment;

    public static string Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        var lowered = value.Trim().ToLowerInvariant();
        if (lowered.StartsWith("langfuse", StringComparison.Ordinal))
        {
            lowered = lowered["langfuse".Length..].TrimStart('-', '_');
        }

        var builder = new StringBuilder(Math.Min(lowered.Length, 40));
        foreach (var character in lowered)
        {
            if (character is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')
            {
                builder.Append(character);
                if (builder.Length == 40)
                {
                    break;
                }
            }
            else
            {
                return Default;
            }
        }

        return builder.Length == 0 ? Default : builder.ToString();
    }
}
