namespace Storage;

/// <summary>Which implementation of a storage seam this process uses, and where it points (never credentials).</summary>
public sealed record StorageBackend(string Seam, string Implementation, string Location);
