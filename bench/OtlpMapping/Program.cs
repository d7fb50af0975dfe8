// Turns the same OTLP export (50 traces of a root span and a GenAI child span, as the Langfuse SDK and the GenAI
// conventions send them) into the stored batch document many times over, single-threaded, and reports CPU time and
// bytes allocated per span, for protobuf and JSON. Decoding, mapping and writing the batch are measured; the HTTP
// server and the blob store are not.
// Usage: OtlpMapping [spans=100000]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TraceIngest.Otlp;
using TraceIngest.Tests.Otlp;

var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var export = BenchExport.Create(tracesPerExport: 50);
var spansPerExport = export.Resources.Sum(r => r.Spans.Count);
var rounds = Math.Max(1, spans / spansPerExport);

Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var (format, payload, protobuf) in new[] { ("protobuf", export.ToProtobuf(), true), ("json", export.ToJson(), false) })
{
    for (var i = 0; i < 200; i++)
    {
        OtlpBatch.Write(payload, protobuf);
    }

    var best = (Micros: double.MaxValue, Bytes: 0.0);
    for (var repeat = 0; repeat < 3; repeat++)
    {
        GC.Collect();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var written = 0L;
        for (var i = 0; i < rounds; i++)
        {
            written += OtlpBatch.Write(payload, protobuf);
        }

        var elapsed = clock.Elapsed;
        var usedCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var micros = elapsed.TotalMicroseconds / (rounds * spansPerExport);
        if (micros < best.Micros)
        {
            best = (micros, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)(rounds * spansPerExport));
        }

        Console.WriteLine($"{format,-8} {rounds * spansPerExport} spans: {micros:F2} µs/span wall, {usedCpu.TotalMicroseconds / (rounds * spansPerExport):F2} µs/span CPU (all threads), {(GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)(rounds * spansPerExport):F0} B/span, {written / rounds} B batch/export");
    }

    Console.WriteLine($"{format,-8} best: {best.Micros:F2} µs/span, {best.Bytes:F0} B allocated/span ({payload.Length} B export of {spansPerExport} spans)");
}
