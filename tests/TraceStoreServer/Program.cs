using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.TraceStore;

// Usage: TraceStoreServer [--check-null-reference] --Storage:DataDirectory <dir> [--ClickHouse:EmbeddedHttpPort <port>]
// Serves the embedded trace store the way any service composes it (AddTraceStore); with --check-null-reference
// it instead proves the process survives a managed NullReferenceException once chDB is running.
var checkNullReference = args.Contains("--check-null-reference");
var builder = Host.CreateApplicationBuilder(args.Where(arg => arg != "--check-null-reference").ToArray());
builder.AddTraceStore();
using var host = builder.Build();

if (!checkNullReference)
{
    await host.RunAsync();
    return 0;
}

await host.StartAsync();
var store = host.Services.GetRequiredService<ClickHouseTraceStore>();
Console.WriteLine($"chDB answered {await store.Client.ExecuteScalarAsync("SELECT 1")}");
try
{
    // A real null dereference: the runtime turns the SIGSEGV into the exception, unless another signal
    // handler (chDB's, when not disabled) takes the signal first, and then the process hangs.
    string? nothing = args.Length < 0 ? "never" : null;
    Console.WriteLine(nothing!.Length);
}
catch (NullReferenceException)
{
    Console.WriteLine("NullReferenceException caught");
}

await host.StopAsync();
return 0;
