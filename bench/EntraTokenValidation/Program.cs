using System.Diagnostics;
using System.Globalization;
using Gateway.Authentication;
using Gateway.Authentication.Entra;
using Gateway.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TestInfrastructure;
using TestInfrastructure.FakeEntra;

// Composes the gateway in this process with an AzureAd section for a fake tenant (metadata fetched over loopback, as
// in the tests), then authenticates requests the way the model API does, single-threaded, and prints per-request
// wall and CPU time for: the master key (the floor: scope, policy scheme, handler), an Entra ID token seen for the
// first time (Microsoft.Identity.Web validates it: signature, issuer, audience, lifetime, roles), the same token
// again (the gateway's cache), and the same token straight to Microsoft.Identity.Web's scheme (what every call would
// cost without the cache).
var fresh = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
var repeated = fresh * 10;
const string MasterKey = "sk-bench-master-key";

await using var tenant = await FakeEntraTenant.StartAsync();
using var data = new TemporaryDirectory("entra-bench-");
var builder = TestWebHost.CreateBuilder(new Dictionary<string, string?>
{
    ["Storage:DataDirectory"] = data.Path,
    ["LITELLM_MASTER_KEY"] = MasterKey,
    ["Logging:LogLevel:Default"] = "Warning",
    ["AzureAd:Instance"] = tenant.Instance,
    ["AzureAd:TenantId"] = tenant.TenantId,
    ["AzureAd:ClientId"] = tenant.ApiClientId,
    ["Gateway:Entra:Mappings:0:Roles:0"] = "Gateway.Invoke",
    ["Gateway:Entra:Mappings:0:TeamId"] = "bench",
});
builder.AddServiceDefaults();
builder.AddGateway();
builder.Services.AddFakeEntraMetadata(tenant, EntraIdAuthenticationHandler.JwtSchemeName);
await using var app = builder.Build();
await app.StartAsync();

await Console.Error.WriteLineAsync($"Signing {fresh} tokens...");
var tokens = Enumerable.Range(0, fresh).Select(_ => tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] })).ToArray();
var one = tokens[0];

// Warm-up: metadata, JIT, the cache entry of the repeated token.
await MeasureAsync(GatewayAuthentication.SchemeName, _ => MasterKey, 2000);
await MeasureAsync(GatewayAuthentication.SchemeName, i => tokens[i % 200], 400);
await MeasureAsync(EntraIdAuthenticationHandler.JwtSchemeName, _ => one, 2000);

var rows = new List<(string Name, Result Result)>
{
    ("master key (`sk-…`)", await MeasureAsync(GatewayAuthentication.SchemeName, _ => MasterKey, repeated)),
    ("Entra ID token, first sight (validated)", await MeasureAsync(GatewayAuthentication.SchemeName, i => tokens[i], fresh, skip: 200)),
    ("Entra ID token, seen before (cache)", await MeasureAsync(GatewayAuthentication.SchemeName, _ => one, repeated)),
    ("same token, Microsoft.Identity.Web only (no cache)", await MeasureAsync(EntraIdAuthenticationHandler.JwtSchemeName, _ => one, fresh)),
};

Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; one request at a time; µs per request");
Console.WriteLine("| path | requests | wall p50 | wall p99 | wall mean | CPU mean |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, result) in rows)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {result.Count} | {result.P50:0.0} | {result.P99:0.0} | {result.Mean:0.0} | {result.CpuMean:0.0} |"));
}

await app.StopAsync();
return 0;

async Task<Result> MeasureAsync(string scheme, Func<int, string> credential, int count, int skip = 0)
{
    var times = new double[count - skip];
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = skip; i < count; i++)
    {
        using var scope = app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + credential(i);
        var started = Stopwatch.GetTimestamp();
        var result = await context.AuthenticateAsync(scheme);
        times[i - skip] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{scheme} did not authenticate: {result.Failure?.Message}");
        }
    }

    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
    Array.Sort(times);
    return new Result(times.Length, times[times.Length / 2], times[(int)(times.Length * 0.99)], times.Average(), cpu / times.Length);
}

internal sealed record Result(int Count, double P50, double P99, double Mean, double CpuMean);
