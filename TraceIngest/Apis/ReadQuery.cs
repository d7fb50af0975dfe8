using System.Globalization;
using System.Security.Claims;
using TraceIngest.Authentication;
using TraceIngest.Queries;

namespace TraceIngest.Apis;

/// <summary>Query-string parsing shared by the read endpoints, with Langfuse's error shape for bad values.</summary>
internal static class ReadQuery
{
    public static string Project(ClaimsPrincipal caller) => caller.FindFirstValue(ProjectApiKeyAuthenticationHandler.ProjectIdClaim)!;

    public static IResult BadRequest(string message) => PublicApiError.Result(StatusCodes.Status400BadRequest, message, "InvalidRequestError");

    public static IResult NotFound(string what) => PublicApiError.Result(StatusCodes.Status404NotFound, $"{what} not found", "LangfuseNotFoundError");

    /// <summary>An ISO 8601 date-time, as UTC; null when absent; an error message when malformed.</summary>
    public static (DateTime? Value, string? Error) Time(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? (value.UtcDateTime, null)
            : (null, $"{name} must be an ISO 8601 date-time");
    }

    public static string[]? Many(string[]? values) => values is { Length: > 0 } ? values.Where(v => v.Length > 0).ToArray() : null;

    public static (Page Page, string? Error) Paging(HttpRequest request)
    {
        int? Number(string key) => int.TryParse(request.Query[key], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : request.Query.ContainsKey(key) ? -1 : null;
        return Page.From(Number("page"), Number("limit"));
    }
}
