using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Storage.Governance;

namespace TraceUi.RemoteGateway;

/// <summary>
/// The gateway's live catalog and status read over its admin status route (and credential refreshes asked of its
/// admin refresh route), for a TraceUi that does not host the gateway. Model names are checked against the last read (refreshed before a change when older than a few
/// seconds); a failed read is remembered as long, so a down gateway does not slow every page by the timeout.
/// </summary>
internal sealed partial class RemoteGatewayCatalog(
    IHttpClientFactory clients, IOptions<RemoteGatewayOptions> options, TimeProvider clock, ILogger<RemoteGatewayCatalog> logger)
    : IGatewayModels, IGatewayStatus
{
    public const string HttpClientName = "remote-gateway";

    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(5);

    private volatile Read? _last;

    // The last catalog read successfully: a change checked after RefreshAsync keeps it even if a read fails meanwhile.
    private volatile ServedModelNames? _served;

    public bool Serves(string model) => Served.Serves(model);

    public IReadOnlyList<string> Names => Served.Names;

    public bool IsMasterKey(string secret) => options.Value.MasterKey is { Length: > 0 } master && MasterKeySecret.Matches(secret, master);

    public async ValueTask<string?> RefreshAsync(CancellationToken cancellationToken)
    {
        if (_last is { } last && clock.GetUtcNow() - last.At < FreshFor)
        {
            return last.Failure;
        }

        try
        {
            await ReadAsync(cancellationToken);
            return null;
        }
        catch (GatewayUnavailableException exception)
        {
            return exception.Message;
        }
    }

    public async ValueTask<GatewayStatus> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await FetchAsync(cancellationToken);
            _served = ServedModelNames.Of(status);
            _last = new Read(clock.GetUtcNow(), null);
            return status;
        }
        catch (GatewayUnavailableException exception)
        {
            _last = new Read(clock.GetUtcNow(), exception.Message);
            LogUnavailable(logger, exception.Message);
            throw;
        }
    }

    public async ValueTask<CredentialRefresh> RefreshCredentialAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var uri = $"{GatewayStatusJson.CredentialRefreshRoute}?{GatewayStatusJson.DeploymentParameter}={Uri.EscapeDataString(deploymentId)}";
        return await SendAsync<CredentialRefresh>(HttpMethod.Post, uri, "credential refresh route", async (response, aborted) => response.StatusCode switch
            {
                HttpStatusCode.OK => CredentialRefresh.Refreshed(await response.Content.ReadFromJsonAsync(GatewayStatusJson.Default.CredentialStatus, aborted)
                    ?? throw new GatewayUnavailableException("the gateway answered its credential refresh route with an empty body")),
                HttpStatusCode.NotFound => new(CredentialRefreshOutcome.UnknownDeployment, null, await GatewayErrorMessage.ReadAsync(response, aborted)),
                HttpStatusCode.Conflict => new(CredentialRefreshOutcome.NotRefreshable, null, await GatewayErrorMessage.ReadAsync(response, aborted)),
                HttpStatusCode.BadGateway => CredentialRefresh.Refused(await GatewayErrorMessage.ReadAsync(response, aborted)),
                _ => throw new GatewayUnavailableException($"the gateway answered its credential refresh route with {(int)response.StatusCode}"),
            },
            cancellationToken);
    }

    private Task<GatewayStatus> FetchAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, GatewayStatusJson.Route, "status route", async (response, aborted) => response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync(GatewayStatusJson.Default.GatewayStatus, aborted)
                    ?? throw new GatewayUnavailableException("the gateway answered its status route with an empty body")
                : throw new GatewayUnavailableException($"the gateway answered its status route with {(int)response.StatusCode}"),
            cancellationToken);

    /// <summary>One call of an admin route with the master key; what cannot be had from it is a <see cref="GatewayUnavailableException"/>.</summary>
    private async Task<T> SendAsync<T>(
        HttpMethod method, string uri, string routeName, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, uri);
        if (options.Value.MasterKey is { Length: > 0 } master)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", master);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new GatewayUnavailableException(
                    $"the gateway refused its {routeName} ({(int)response.StatusCode}): {RemoteGatewayOptions.SectionName}:MasterKey (or LITELLM_MASTER_KEY) is not its master key");
            }

            return await read(response, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new GatewayUnavailableException($"the gateway at {client.BaseAddress} cannot be reached ({exception.HttpRequestError})", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayUnavailableException($"the gateway at {client.BaseAddress} did not answer within {client.Timeout.TotalSeconds:0.#} s", exception);
        }
        catch (JsonException exception)
        {
            throw new GatewayUnavailableException($"the gateway's answer on its {routeName} could not be read (not what this TraceUi expects)", exception);
        }
    }

    // Changes are refused before they run when the catalog could not be read (GatewayPage), so this is only reached
    // if a change runs without RefreshAsync first.
    private ServedModelNames Served => _served
        ?? throw new ManagementRequestException("The gateway's model catalog could not be read, so model names cannot be checked.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway status unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    /// <param name="Failure">Why the read failed, or null when it succeeded.</param>
    private sealed record Read(DateTimeOffset At, string? Failure);
}
