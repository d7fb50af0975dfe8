using System.Globalization;
using GatewayPeers;
using GatewayPeers.OpenLoop;
using TestInfrastructure;
using TestInfrastructure.FakeEntra;

// Starts one fake upstream and every target in front of it (nothing, nginx, Portkey, this gateway in its
// configurations), then drives them with wrk in alternating rounds at fixed connection counts, and writes a
// Markdown report and a latency-versus-throughput plot; with --mode rate, offers them fixed request rates open-loop
// instead (OpenLoop/). See bench/README.md.
var options = PeerOptions.Parse(args);
var repository = Repository.Find();
using var scratch = new TemporaryDirectory("gateway-peers-");
var upstreamPort = FreeTcpPort.Next();
await using var upstream = await FakeLlmUpstreamProcess.StartAsync(repository, upstreamPort);
await using var redis = new RedisServer();
await redis.InitializeAsync();
await using var tenant = await FakeEntraTenant.StartAsync(asMicrosoftLogin: false);

var targets = new List<RunningTarget> { Targets.Direct(upstreamPort) };
try
{
    // Only the targets asked for are started (--targets), so a run of a few needs none of the others' prerequisites.
    (string Name, Func<Task<RunningTarget>> Start)[] candidates =
    [
        ("nginx", () => Targets.NginxAsync(upstreamPort, scratch.Path)),
        ("portkey", () => Targets.PortkeyAsync(upstreamPort, repository)),
        ("gateway", () => Targets.GatewayAsync(upstreamPort, repository, scratch.Path, traces: false)),
        ("gateway-traces", () => Targets.GatewayAsync(upstreamPort, repository, scratch.Path, traces: true)),
        ("gateway-governed", () => Targets.GovernedGatewayAsync(upstreamPort, repository, scratch.Path, redis.ConnectionString)),
        ("gateway-entra", () => Targets.EntraGatewayAsync(upstreamPort, repository, scratch.Path, tenant)),
    ];
    foreach (var (_, start) in candidates.Where(c => options.Targets?.Contains(c.Name) != false))
    {
        targets.Add(await start());
    }

    var started = DateTimeOffset.UtcNow;
    var load = Machine.LoadAverage();
    if (options.RateSweep)
    {
        Console.WriteLine($"Open-loop rate sweep, {options.Duration.TotalSeconds:0} s per step, {options.Connections} connections, against {string.Join(", ", targets.Select(t => t.Name))}");
        var steps = await RateSweep.RunAsync(targets, options);
        await new RateReport(steps, targets, new RunConditions(Machine.Describe(), load, Machine.LoadAverage(), started), options).WriteAsync(options.Output);
        Console.WriteLine($"Wrote {options.Output}.md and {options.Output}.png");
        return 0;
    }

    var measurements = new List<Measurement>();
    var plan = options.Plan().ToList();
    Console.WriteLine($"{plan.Count * targets.Count} runs of {options.Duration.TotalSeconds:0} s against {string.Join(", ", targets.Select(t => t.Name))}");

    // Warm every target (JIT, connection pools) before anything is measured.
    foreach (var target in targets)
    {
        await Wrk.RunAsync(target, stream: false, 16, TimeSpan.FromSeconds(2), scratch.Path);
        await Wrk.RunAsync(target, stream: true, 16, TimeSpan.FromSeconds(2), scratch.Path);
    }

    foreach (var (round, stream, connections) in plan)
    {
        // Alternate the order each round, so a slow drift of the machine does not favour one target.
        var ordered = round % 2 == 0 ? targets : Enumerable.Reverse(targets).ToList();
        foreach (var target in ordered)
        {
            var cpuBefore = ProcessCpu.Seconds(target.ProcessIds);
            var result = await Wrk.RunAsync(target, stream, connections, options.Duration, scratch.Path);
            var cpu = ProcessCpu.Seconds(target.ProcessIds) - cpuBefore;
            var measurement = new Measurement(target.Name, target.Label, stream, connections, round, result, ProcessMemory.ResidentBytes(target.ProcessIds), cpu);
            measurements.Add(measurement);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round} {(stream ? "stream" : "json  ")} c={connections,-3} {target.Name,-15} {result.RequestsPerSecond,9:0} req/s  p50 {result.P50,7:0.000} ms  p99 {result.P99,8:0.000} ms  CPU {measurement.CpuMicrosecondsPerRequest,6:0} µs/req  errors {result.Errors}"));
        }
    }

    var report = new PeerReport(measurements, targets, new RunConditions(Machine.Describe(), load, Machine.LoadAverage(), started), options);
    await report.WriteAsync(options.Output);
    Console.WriteLine($"Wrote {options.Output}.md and {options.Output}.png");
    return 0;
}
finally
{
    foreach (var target in targets)
    {
        await target.DisposeAsync();
    }
}
