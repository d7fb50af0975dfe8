using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace GatewayPeers.OpenLoop;

/// <summary>
/// An open-loop load generator: request i is due at start + i / rate whatever happened to earlier requests; a pacing
/// thread releases each due request to a queue that a pool of keep-alive connections drains, and each latency is
/// measured from the request's due time, so time spent queued behind a slow target counts (no coordinated omission).
/// </summary>
internal static partial class OpenLoopLoad
{
    public static async Task<OpenLoopResult> RunAsync(RunningTarget target, bool stream, double rate, TimeSpan duration, int connections)
    {
        var uri = new Uri(target.Url);
        var endPoint = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        var request = RequestBytes(target, uri, stream);
        var pool = Enumerable.Range(0, connections).Select(_ => new RawHttpConnection(endPoint)).ToArray();
        try
        {
            // Connections are opened before the schedule starts, so connecting is not measured as latency.
            using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await Task.WhenAll(pool.Select(c => c.ConnectAsync(connecting.Token)));
            }

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var due = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
            var total = (long)Math.Floor(rate * duration.TotalSeconds);
            var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
            // After the schedule ends, requests still queued or in flight get a grace period, then count as unsent or failed.
            var grace = TimeSpan.FromSeconds(Math.Min(10, Math.Max(2, duration.TotalSeconds)));
            using var stop = new CancellationTokenSource(duration + grace);
            var workers = pool.Select(c => Task.Run(() => DrainAsync(c, request, due.Reader, stop.Token))).ToArray();
            var releaseLateness = new long[total];
            var pacer = new Thread(() => Pace(due.Writer, start, rate, releaseLateness)) { IsBackground = true, Name = "open-loop pacer", Priority = ThreadPriority.AboveNormal };
            pacer.Start();
            var outcomes = await Task.WhenAll(workers);
            pacer.Join();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

            var latencies = new LatencySamples(outcomes.SelectMany(o => o.Latencies));
            var succeeded = outcomes.Sum(o => o.Succeeded);
            var failed = outcomes.Sum(o => o.Failed);
            var unsent = total - succeeded - failed;
            // Served per second from the first due time to the last answer (later than the schedule's end when a backlog drained).
            var elapsed = Math.Max((outcomes.Max(o => o.LastSuccess) - start) / (double)Stopwatch.Frequency, duration.TotalSeconds);
            return new OpenLoopResult(rate, succeeded / elapsed, latencies.Percentile(0.50), latencies.Percentile(0.90), latencies.Percentile(0.99), latencies.Max,
                succeeded, failed, unsent, cpu, new LatencySamples(releaseLateness).Percentile(0.99));
        }
        finally
        {
            foreach (var connection in pool)
            {
                connection.Dispose();
            }
        }
    }

    private static byte[] RequestBytes(RunningTarget target, Uri uri, bool stream)
    {
        var body = Encoding.UTF8.GetBytes(ChatRequestBody.For(target, stream));
        var head = new StringBuilder();
        head.Append("POST ").Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(uri.Authority).Append("\r\n");
        head.Append("Content-Type: application/json\r\n");
        foreach (var (name, value) in target.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    /// <summary>
    /// Releases each request at its due time (in Stopwatch ticks); sleeps in microseconds between them. Notes how late
    /// each release was, which is the generator's own share of every latency (a starved pacer shows there first).
    /// </summary>
    private static void Pace(ChannelWriter<long> due, long start, double rate, long[] lateness)
    {
        var ticksPerRequest = Stopwatch.Frequency / rate;
        for (var i = 0; i < lateness.Length; i++)
        {
            var dueAt = start + (long)(i * ticksPerRequest);
            long wait;
            while ((wait = dueAt - Stopwatch.GetTimestamp()) > 0)
            {
                // Thread.Sleep has millisecond steps; the due times here are tens of microseconds apart.
                _ = Sleep((uint)Math.Clamp(wait * 1_000_000 / Stopwatch.Frequency, 1, 100_000));
            }

            lateness[i] = Stopwatch.GetTimestamp() - dueAt;
            due.TryWrite(dueAt);
        }

        due.Complete();
    }

    private static async Task<WorkerOutcome> DrainAsync(RawHttpConnection connection, byte[] request, ChannelReader<long> due, CancellationToken stop)
    {
        var outcome = new WorkerOutcome();
        try
        {
            while (await due.WaitToReadAsync(stop))
            {
                while (due.TryRead(out var dueAt))
                {
                    await ExchangeAsync(connection, request, dueAt, outcome, stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The grace period ended: what is still queued counts as unsent.
        }

        return outcome;
    }

    private static async Task ExchangeAsync(RawHttpConnection connection, byte[] request, long dueAt, WorkerOutcome outcome, CancellationToken stop)
    {
        try
        {
            var status = await connection.ExchangeAsync(request, stop);
            if (status is >= 200 and < 300)
            {
                var done = Stopwatch.GetTimestamp();
                outcome.Succeeded++;
                outcome.LastSuccess = done;
                outcome.Latencies.Add(done - dueAt);
            }
            else
            {
                outcome.Failed++;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or OperationCanceledException)
        {
            // A broken exchange, or one still open when the grace period ended (it timed out): failed either way.
            outcome.Failed++;
            connection.Dispose();
            stop.ThrowIfCancellationRequested();
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Sleep(uint microseconds);

    private sealed class WorkerOutcome
    {
        public List<long> Latencies { get; } = new(4096);
        public long Succeeded { get; set; }
        public long Failed { get; set; }
        public long LastSuccess { get; set; }
    }
}
