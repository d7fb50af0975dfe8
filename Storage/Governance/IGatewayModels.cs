namespace Storage.Governance;

/// <summary>
/// The models the gateway serves now, as the management operations check allow-lists against them: implemented by
/// the gateway's own model catalog, so a key made in TraceUi is checked exactly as one made through the API.
/// </summary>
public interface IGatewayModels
{
    /// <summary>
    /// True when <paramref name="model"/> is a model group, a name a wildcard group serves, or a <c>prefix*</c>
    /// pattern that covers at least one of them.
    /// </summary>
    bool Serves(string model);

    /// <summary>The group names and wildcard patterns, for error messages and pickers.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>True when <paramref name="secret"/> is the master key (a key chosen by an admin must not be).</summary>
    bool IsMasterKey(string secret);

    /// <summary>
    /// Makes <see cref="Serves"/> and <see cref="Names"/> answer from the gateway's current catalog before a change:
    /// null when they do, else why the catalog cannot be read now (a gateway in another process that is down).
    /// </summary>
    ValueTask<string?> RefreshAsync(CancellationToken cancellationToken);
}
