namespace Gateway.Configuration;

/// <summary>
/// Where the config comes from, as with LiteLLM: <c>--config &lt;path&gt;</c> on the command line, otherwise the
/// <c>CONFIG_FILE_PATH</c> environment variable; neither means no models.
/// </summary>
public static class GatewayConfigFile
{
    /// <summary>The configuration key <c>--config</c> binds to.</summary>
    public const string CommandLineKey = "config";

    public const string EnvironmentKey = "CONFIG_FILE_PATH";

    public static string? Locate(IConfiguration configuration) =>
        configuration[CommandLineKey] is { Length: > 0 } fromArgument ? Path.GetFullPath(fromArgument)
        : configuration[EnvironmentKey] is { Length: > 0 } fromEnvironment ? Path.GetFullPath(fromEnvironment)
        : null;

    /// <summary>Reads and validates the config; <c>os.environ/NAME</c> resolves through <paramref name="configuration"/>.</summary>
    public static GatewayConfig Load(IConfiguration configuration)
    {
        var path = Locate(configuration);
        if (path is null)
        {
            return GatewayConfig.Empty;
        }

        return LiteLlmConfigReader.Read(ReadText(path), path, name => configuration[name]);
    }

    /// <summary>The file's text; a file that cannot be read is a <see cref="GatewayConfigException"/> naming it.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new GatewayConfigException(path, [$"cannot be read: {exception.Message}"]);
        }
    }
}
