using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TestInfrastructure;

// Composes the gateway in this process (as Program.cs does, log level Warning) in front of an in-process fake OpenAI
// upstream, sends the same calls one at a time directly and through the gateway, and prints the bytes this process
// allocated per call for each (GC.GetTotalAllocatedBytes). The difference is what the gateway allocates per call:
// Kestrel in, auth, governance, routing, the outbound HttpClient call, settlement and the trace export (to a sink in
// this process that reads each batch and keeps nothing, so receiving the batches counts, once per batch).
var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
const string MasterKey = "sk-bench-master-key";
await using var upstream = await FakeOpenAiUpstream.StartAsync();
// The Langfuse sink reads each trace batch and keeps nothing, so receiving them costs a batch's worth, not a recording.
await using var traceSink = await FakeUpstreamHost.StartDrainingAsync(context =>
{
    context.Response.StatusCode = StatusCodes.Status207MultiStatus;
    return Task.CompletedTask;
});
using var client = new HttpClient();
Console.WriteLine($"{calls} calls per row after {calls / 5} warm-up calls, one at a time; bytes allocated per call in this process");
Console.WriteLine("| gateway | stream | direct | through the gateway | the gateway's share |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var (name, governed, traces) in new[] { ("master key", false, false), ("master key + traces", false, true), ("virtual key (budget, rpm, tpm, parallel; in-process) + traces", true, true) })
{
    using var data = new TemporaryDirectory("gateway-allocations-");
    await using var gateway = await StartAsync(data, traces);
    var key = governed ? await GovernedBenchKey.GenerateAsync(client, gateway.Endpoint, MasterKey) : MasterKey;
    foreach (var stream in new[] { false, true })
    {
        var directUri = new Uri(upstream.ApiBase + "/chat/completions");
        await MeasureAsync(directUri, null, stream, calls / 5);
        await MeasureAsync(gateway.Endpoint, key, stream, calls / 5);
        var direct = await MeasureAsync(directUri, null, stream, calls);
        var through = await MeasureAsync(gateway.Endpoint, key, stream, calls);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {(stream ? "yes" : "no")} | {direct:0} | {through:0} | {through - direct:0} |"));
    }
}

return 0;

async Task<double> MeasureAsync(Uri target, string? key, bool stream, int count)
{
    var body = $$"""{"model":"bench","stream":{{(stream ? "true" : "false")}},"max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";
    // Background work of earlier calls (settlement, trace export) settles before counting starts.
    await Task.Delay(1500);
    var before = GC.GetTotalAllocatedBytes(precise: true);
    for (var i = 0; i < count; i++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    // The calls' trace export and settlement count too: wait for the exporter's flush interval.
    await Task.Delay(1500);
    return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
}

async Task<Host> StartAsync(TemporaryDirectory data, bool traces)
{
    var config = data.Combine("config.yaml");
    await File.WriteAllTextAsync(config, $$"""
        model_list:
          - model_name: bench
            litellm_params: {model: openai/bench, api_base: "{{upstream.ApiBase}}", api_key: sk-upstream, rpm: 100000000}
            model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}
        """);
    var settings = new Dictionary<string, string?>
    {
        ["config"] = config,
        ["Storage:DataDirectory"] = data.Path,
        ["LITELLM_MASTER_KEY"] = MasterKey,
        ["Logging:LogLevel:Default"] = "Warning",
    };
    if (traces)
    {
        settings["LANGFUSE_HOST"] = traceSink.BaseAddress.ToString();
        settings["LANGFUSE_PUBLIC_KEY"] = "pk-lf-bench";
        settings["LANGFUSE_SECRET_KEY"] = "sk-lf-bench";
    }

    var builder = TestWebHost.CreateBuilder(settings);
    builder.AddServiceDefaults();
    builder.AddGateway();
    var app = builder.Build();
    app.MapDefaultEndpoints();
    app.MapGatewayApi();
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    return new Host(app, new Uri(new Uri(address), "/v1/chat/completions"));
}

internal sealed record Host(WebApplication App, Uri Endpoint) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
