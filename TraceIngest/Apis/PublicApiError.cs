using System.Text.Json.Serialization;

namespace TraceIngest.Apis;

/// <summary>
/// Langfuse's error body for whole-request failures: <c>{"message": "...", "error": "..."}</c>, with the list of
/// problems in <c>errors</c> when a request is invalid as a whole.
/// </summary>
public sealed record PublicApiError(
    string Message,
    string Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Errors = null)
{
    public static IResult Result(int status, string message, string error, IReadOnlyList<string>? errors = null) =>
        TypedResults.Json(new PublicApiError(message, error, errors), statusCode: status);
}
