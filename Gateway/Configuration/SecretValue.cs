namespace Gateway.Configuration;

/// <summary>
/// A credential read from the config (an API key, the master key). Its text never shows up by accident:
/// <see cref="ToString"/> is redacted, so records holding it can be logged or formatted safely.
/// </summary>
public sealed class SecretValue(string value)
{
    public string Reveal() => value;

    public override string ToString() => "***";
}
