using Storage.Governance;

namespace Storage.Governance.Keys;

/// <summary>How the management API names a key: the key itself (<c>sk-…</c>) or its token (the SHA-256 hex LiteLLM returns as <c>token</c>).</summary>
public static class KeyReference
{
    public static string Token(string reference, string field = "key") =>
        VirtualKeyHasher.HasKeyShape(reference) ? VirtualKeyHasher.Token(reference)
        : VirtualKeyHasher.IsToken(reference) ? reference.ToLowerInvariant()
        : throw new ManagementRequestException($"{field} must be a virtual key (sk-…) or its token (64 hex digits).", field);
}
