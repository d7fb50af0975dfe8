namespace TraceIngest.Apis;

/// <summary>Langfuse's error body for whole-request failures: <c>{"message": "...", "error": "..."}</c>.</summary>
public sealed record PublicApiError(string Message, string Error);
