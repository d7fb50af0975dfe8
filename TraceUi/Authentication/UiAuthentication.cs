namespace TraceUi.Authentication;

/// <summary>Names TraceUi's sign-in is built from: one cookie scheme, a viewer and an admin policy.</summary>
public static class UiAuthentication
{
    public const string Scheme = "TraceUi";
    public const string ViewerPolicy = "TraceUi.Viewer";
    public const string AdminPolicy = "TraceUi.Admin";
    public const string AdminRole = "admin";
    public const string ViewerRole = "viewer";
    public const string SignInPath = "/sign-in";
    public const string UserIdClaim = "sub";
}
