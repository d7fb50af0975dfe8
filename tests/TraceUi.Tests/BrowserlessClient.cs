using System.Net;
using System.Text.RegularExpressions;

namespace TraceUi.Tests;

/// <summary>
/// What a browser does with the server-rendered pages, minus rendering: keeps cookies, does not follow
/// redirects (tests assert on them), and posts forms with the antiforgery token the page carried.
/// </summary>
internal sealed partial class BrowserlessClient : IDisposable
{
    private readonly HttpClient _client;

    public BrowserlessClient(Uri baseAddress)
    {
        _client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(string path) => _client.GetAsync(path, TestContext.Current.CancellationToken);

    public async Task<string> GetPageAsync(string path)
    {
        var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Posts a form to <paramref name="action"/> with the token found in <paramref name="page"/>.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string action, string page, IDictionary<string, string> fields, bool withToken = true)
    {
        var values = new Dictionary<string, string>(fields);
        if (withToken)
        {
            values["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value;
        }

        return _client.PostAsync(action, new FormUrlEncodedContent(values), TestContext.Current.CancellationToken);
    }

    public async Task SignInAsync(string email, string password)
    {
        var page = await GetPageAsync("/sign-in");
        var response = await PostFormAsync("/account/sign-in", page, new Dictionary<string, string> { ["Email"] = email, ["Password"] = password, ["ReturnUrl"] = "/" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
