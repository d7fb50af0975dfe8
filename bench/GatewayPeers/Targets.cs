using TestInfrastructure;
using TestInfrastructure.FakeEntra;

namespace GatewayPeers;

/// <summary>How to start each target in front of the fake upstream on <c>upstreamPort</c>.</summary>
internal static class Targets
{
    public const string UpstreamKey = "sk-upstream-bench";
    private const string MasterKey = "sk-bench-master-key";

    public static RunningTarget Direct(int upstreamPort) => new(
        "direct", "direct (baseline)", $"http://127.0.0.1:{upstreamPort}/v1/chat/completions", "bench",
        new Dictionary<string, string> { ["Authorization"] = "Bearer " + UpstreamKey }, [], () => ValueTask.CompletedTask);

    public static async Task<RunningTarget> NginxAsync(int upstreamPort, string scratch)
    {
        var directory = Directory.CreateDirectory(Path.Combine(scratch, "nginx")).FullName;
        var (process, ports) = await NginxProxy.StartAsync(directory, [$"127.0.0.1:{upstreamPort}"]);
        return new RunningTarget("nginx", "nginx (reverse proxy)", $"http://127.0.0.1:{ports[0]}/v1/chat/completions", "bench",
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + UpstreamKey }, [process.Id], process.DisposeAsync);
    }

    public static async Task<RunningTarget> PortkeyAsync(int upstreamPort, string repository)
    {
        var server = Path.Combine(repository, "bench", "peers", "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} is missing: run 'npm ci --prefix bench/peers' (bench/run-gateway-peers.sh does).");
        }

        var port = FreeTcpPort.Next();
        var process = ExternalProcess.Start("node", [server, $"--port={port}", "--headless"], new Dictionary<string, string?> { ["NODE_ENV"] = "production" });
        await ListeningProcess.WaitAsync(process, port, "Portkey gateway");
        return new RunningTarget("portkey", "Portkey gateway 1.15.2", $"http://127.0.0.1:{port}/v1/chat/completions", "bench",
            new Dictionary<string, string>
            {
                ["Authorization"] = "Bearer " + UpstreamKey,
                ["x-portkey-provider"] = "openai",
                ["x-portkey-custom-host"] = $"http://127.0.0.1:{upstreamPort}/v1",
            },
            [process.Id], process.DisposeAsync);
    }

    /// <summary>The gateway as its own process, master key on; with <paramref name="traces"/> it also emits a Langfuse trace per call (to the fake upstream's ingestion sink).</summary>
    public static async Task<RunningTarget> GatewayAsync(int upstreamPort, string repository, string scratch, bool traces)
    {
        var name = traces ? "gateway-traces" : "gateway";
        var (port, process) = await StartGatewayAsync(name, upstreamPort, repository, scratch, traces ? Traces(upstreamPort) : []);
        return new RunningTarget(name, traces ? "this gateway, master key + traces" : "this gateway, master key", $"http://127.0.0.1:{port}/v1/chat/completions", "bench",
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + MasterKey }, [process.Id], process.DisposeAsync);
    }

    /// <summary>
    /// The gateway with everything a governed call pays for: a virtual key with a budget (the model is priced, so each
    /// call reserves and settles a cost), rpm, tpm and parallel limits, all counted in Redis; and a trace per call.
    /// </summary>
    public static async Task<RunningTarget> GovernedGatewayAsync(int upstreamPort, string repository, string scratch, string redisConnection)
    {
        const string Name = "gateway-governed";
        var environment = new Dictionary<string, string?>(Traces(upstreamPort)) { ["ConnectionStrings__redis"] = redisConnection };
        var (port, process) = await StartGatewayAsync(Name, upstreamPort, repository, scratch, environment);
        try
        {
            using var client = new HttpClient();
            var key = await GovernedBenchKey.GenerateAsync(client, new Uri($"http://127.0.0.1:{port}"), MasterKey);
            return new RunningTarget(Name, "this gateway, virtual key + Redis limits + budget + cost + traces", $"http://127.0.0.1:{port}/v1/chat/completions", "bench",
                new Dictionary<string, string> { ["Authorization"] = "Bearer " + key }, [process.Id], process.DisposeAsync);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The gateway accepting Entra ID access tokens of a fake tenant (metadata over loopback), one token for the whole run, and a trace per call.</summary>
    public static async Task<RunningTarget> EntraGatewayAsync(int upstreamPort, string repository, string scratch, FakeEntraTenant tenant)
    {
        const string Name = "gateway-entra";
        var environment = new Dictionary<string, string?>(Traces(upstreamPort))
        {
            ["AzureAd__Instance"] = tenant.Instance,
            ["AzureAd__TenantId"] = tenant.TenantId,
            ["AzureAd__ClientId"] = tenant.ApiClientId,
            ["AzureAd__RequireHttpsMetadata"] = "false",
            ["AzureAd__TokenValidationParameters__ValidIssuers__0"] = tenant.Issuer,
            ["Gateway__Entra__Mappings__0__Roles__0"] = "Gateway.Invoke",
            ["Gateway__Entra__Mappings__0__TeamId"] = "bench",
        };
        var (port, process) = await StartGatewayAsync(Name, upstreamPort, repository, scratch, environment);
        var token = tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"], Expires = DateTimeOffset.UtcNow.AddHours(6) });
        return new RunningTarget(Name, "this gateway, Entra ID token + traces", $"http://127.0.0.1:{port}/v1/chat/completions", "bench",
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + token }, [process.Id], process.DisposeAsync);
    }

    private static Dictionary<string, string?> Traces(int upstreamPort) => new()
    {
        ["LANGFUSE_HOST"] = $"http://127.0.0.1:{upstreamPort}",
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-bench",
        ["LANGFUSE_SECRET_KEY"] = "sk-lf-bench",
    };

    private static async Task<(int Port, ExternalProcess Process)> StartGatewayAsync(string name, int upstreamPort, string repository, string scratch,
        IReadOnlyDictionary<string, string?> settings)
    {
        var gatewayDll = Path.Combine(repository, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
        if (!File.Exists(gatewayDll))
        {
            throw new InvalidOperationException($"{gatewayDll} is missing: run 'dotnet build Gateway -c Release' (bench/run-gateway-peers.sh does).");
        }

        var directory = Directory.CreateDirectory(Path.Combine(scratch, name)).FullName;
        var config = Path.Combine(directory, "config.yaml");
        // Priced, so a governed call's budget has a cost to reserve and settle.
        await File.WriteAllTextAsync(config, $$"""
            model_list:
              - model_name: bench
                litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:{{upstreamPort}}/v1", api_key: {{UpstreamKey}}}
                model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}
            """);
        var environment = new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = MasterKey, ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var port = FreeTcpPort.Next();
        var process = ExternalProcess.Start("dotnet",
            [gatewayDll, "--config", config, "--urls", $"http://127.0.0.1:{port}", "--Storage:DataDirectory", directory, "--Logging:LogLevel:Default", "Warning"],
            environment);
        await ListeningProcess.WaitAsync(process, port, name);
        return (port, process);
    }
}
