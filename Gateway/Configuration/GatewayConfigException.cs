namespace Gateway.Configuration;

/// <summary>The config file cannot be used; the message names the file and each bad field by its YAML path.</summary>
public sealed class GatewayConfigException(string? sourcePath, IReadOnlyList<string> errors)
    : Exception(Describe(sourcePath, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;

    private static string Describe(string? sourcePath, IReadOnlyList<string> errors) =>
        $"Invalid gateway config{(sourcePath is null ? string.Empty : $" '{sourcePath}'")}:{Environment.NewLine}  " +
        string.Join(Environment.NewLine + "  ", errors);
}
