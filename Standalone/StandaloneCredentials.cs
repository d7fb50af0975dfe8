using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Storage.Security;

namespace Standalone;

/// <summary>
/// The credentials a fresh standalone install needs to be usable without clicking: the gateway master key,
/// a project key pair for the tracing API, and an admin sign-in. Values given through configuration
/// (<c>LITELLM_MASTER_KEY</c>, <c>LANGFUSE_INIT_*</c>) win; missing ones are generated on first start and
/// stored in <c>credentials.json</c> (owner-only) so later starts reuse them.
/// </summary>
public sealed class StandaloneCredentials
{
    public const string FileName = "credentials.json";
    internal const string DefaultOrganizationId = "default";
    internal const string DefaultProjectId = "default";
    internal const string DefaultAdminEmail = "admin@localhost";

    private StandaloneCredentials(ResolvedCredentials values, string filePath, bool generatedNow, IReadOnlyDictionary<string, string?> configurationValues)
    {
        Values = values;
        FilePath = filePath;
        GeneratedNow = generatedNow;
        _configurationValues = configurationValues;
    }

    private readonly IReadOnlyDictionary<string, string?> _configurationValues;

    internal ResolvedCredentials Values { get; }
    public string FilePath { get; }

    /// <summary>True when this start generated at least one credential (and so should show it once).</summary>
    public bool GeneratedNow { get; }

    public IEnumerable<KeyValuePair<string, string?>> ConfigurationValues() => _configurationValues;

    public static StandaloneCredentials Resolve(IConfiguration configuration, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var filePath = Path.Combine(dataDirectory, FileName);
        var stored = Load(filePath);

        Credential Pick(string configurationKey, string? storedValue, Func<string> generate) =>
            configuration[configurationKey] is { Length: > 0 } given ? new Credential(given, CredentialSource.Configuration)
            : !string.IsNullOrEmpty(storedValue) ? new Credential(storedValue, CredentialSource.Stored)
            : new Credential(generate(), CredentialSource.Generated);

        var values = new ResolvedCredentials(
            MasterKey: Pick("LITELLM_MASTER_KEY", stored.MasterKey, () => SecretGenerator.Generate(SecretGenerator.GatewayKeyPrefix)),
            ProjectPublicKey: Pick("LANGFUSE_INIT_PROJECT_PUBLIC_KEY", stored.ProjectPublicKey, () => SecretGenerator.Generate(SecretGenerator.ProjectPublicKeyPrefix)),
            ProjectSecretKey: Pick("LANGFUSE_INIT_PROJECT_SECRET_KEY", stored.ProjectSecretKey, () => SecretGenerator.Generate(SecretGenerator.ProjectSecretKeyPrefix)),
            AdminEmail: Pick("LANGFUSE_INIT_USER_EMAIL", stored.AdminEmail, () => DefaultAdminEmail),
            AdminPassword: Pick("LANGFUSE_INIT_USER_PASSWORD", stored.AdminPassword, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))));

        var generated = values.All().Any(c => c.Source == CredentialSource.Generated);
        if (generated)
        {
            // Only what the platform made up is written down; values given through configuration stay where they came from.
            Save(filePath, new StoredCredentials
            {
                MasterKey = values.MasterKey.Kept,
                ProjectPublicKey = values.ProjectPublicKey.Kept,
                ProjectSecretKey = values.ProjectSecretKey.Kept,
                AdminEmail = values.AdminEmail.Kept,
                AdminPassword = values.AdminPassword.Kept,
            });
        }

        var configurationValues = new Dictionary<string, string?>
        {
            ["LITELLM_MASTER_KEY"] = values.MasterKey.Value,
            ["LANGFUSE_INIT_ORG_ID"] = configuration["LANGFUSE_INIT_ORG_ID"] is { Length: > 0 } org ? org : DefaultOrganizationId,
            ["LANGFUSE_INIT_PROJECT_ID"] = configuration["LANGFUSE_INIT_PROJECT_ID"] is { Length: > 0 } project ? project : DefaultProjectId,
            ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = values.ProjectPublicKey.Value,
            ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = values.ProjectSecretKey.Value,
            ["LANGFUSE_INIT_USER_EMAIL"] = values.AdminEmail.Value,
            ["LANGFUSE_INIT_USER_PASSWORD"] = values.AdminPassword.Value,
            // The gateway traces its calls into this same process's project unless told to send them elsewhere.
            ["LANGFUSE_PUBLIC_KEY"] = configuration["LANGFUSE_PUBLIC_KEY"] is { Length: > 0 } exportKey ? exportKey : values.ProjectPublicKey.Value,
            ["LANGFUSE_SECRET_KEY"] = configuration["LANGFUSE_SECRET_KEY"] is { Length: > 0 } exportSecret ? exportSecret : values.ProjectSecretKey.Value,
        };

        return new StandaloneCredentials(values, filePath, generated, configurationValues);
    }

    private static StoredCredentials Load(string filePath)
    {
        if (!File.Exists(filePath))
        {
            return new StoredCredentials();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(filePath), StandaloneJsonContext.Default.StoredCredentials) ?? new StoredCredentials();
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{filePath} is not valid JSON ({exception.Message}). Fix or delete it; deleting it generates new credentials.", exception);
        }
    }

    private static void Save(string filePath, StoredCredentials values)
    {
        var temporary = filePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, values, StandaloneJsonContext.Default.StoredCredentials);
        }

        File.Move(temporary, filePath, overwrite: true);
    }

    internal enum CredentialSource
    {
        Configuration,
        Stored,
        Generated,
    }

    internal sealed record Credential(string Value, CredentialSource Source)
    {
        /// <summary>The value to keep in the credentials file, or null when configuration supplies it.</summary>
        public string? Kept => Source == CredentialSource.Configuration ? null : Value;
    }

    internal sealed record ResolvedCredentials(
        Credential MasterKey, Credential ProjectPublicKey, Credential ProjectSecretKey, Credential AdminEmail, Credential AdminPassword)
    {
        public IEnumerable<Credential> All() => [MasterKey, ProjectPublicKey, ProjectSecretKey, AdminEmail, AdminPassword];
    }

    internal sealed class StoredCredentials
    {
        public string? MasterKey { get; init; }
        public string? ProjectPublicKey { get; init; }
        public string? ProjectSecretKey { get; init; }
        public string? AdminEmail { get; init; }
        public string? AdminPassword { get; init; }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StandaloneCredentials.StoredCredentials))]
internal sealed partial class StandaloneJsonContext : JsonSerializerContext;
