namespace Gateway.Configuration;

/// <summary>How the config file is watched (section <c>Gateway:ConfigReload</c>).</summary>
public sealed class ConfigReloadOptions
{
    public const string SectionName = "Gateway:ConfigReload";

    /// <summary>Whether changes to the config file are applied while running.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often the file is also compared with what was loaded, for file systems whose change notifications do not
    /// arrive (network mounts, some container volumes).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the file must stay unchanged before it is read, so a write in several steps is read once.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(200);
}
