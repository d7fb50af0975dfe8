using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TestInfrastructure;

/// <summary>One TCP segment that carried data, as tcpdump saw it on the loopback interface.</summary>
/// <param name="Nanoseconds">The kernel's timestamp of the segment, in nanoseconds since the Unix epoch.</param>
/// <param name="Payload">Its first bytes (up to the capture's snap length less the headers).</param>
internal sealed record CapturedSegment(long Nanoseconds, int SourcePort, int DestinationPort, byte[] Payload);

/// <summary>
/// tcpdump (Debian's) capturing the TCP segments of some ports on the loopback interface into a pcap file, each written
/// as it arrives, with nanosecond timestamps; read back as the segments that carried data. The timestamps are the
/// kernel's, taken as each segment passed the interface, so they time a process between its sockets without any
/// help from the process.
/// </summary>
internal sealed partial class LoopbackCapture : IAsyncDisposable
{
    private const int SnapLength = 1024;
    private readonly ExternalProcess _tcpdump;
    private readonly string _file;

    private LoopbackCapture(ExternalProcess tcpdump, string file)
    {
        _tcpdump = tcpdump;
        _file = file;
    }

    /// <summary>Starts capturing once tcpdump says it listens; null when it is not installed or may not capture here.</summary>
    public static async Task<LoopbackCapture?> StartAsync(string file, IEnumerable<int> ports)
    {
        var filter = "tcp and (" + string.Join(" or ", ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"port {p}"))) + ")";
        ExternalProcess tcpdump;
        try
        {
            tcpdump = ExternalProcess.Start("tcpdump", ["-i", "lo", "-U", "-n", "-s", SnapLength.ToString(CultureInfo.InvariantCulture), "--time-stamp-precision=nano", "-w", file, filter]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        try
        {
            await tcpdump.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            await tcpdump.DisposeAsync();
            return null;
        }

        return new LoopbackCapture(tcpdump, file);
    }

    /// <summary>Ends the capture and reads every data-carrying segment of it, in the order captured, with how many packets the kernel dropped.</summary>
    public async Task<(List<CapturedSegment> Segments, long Dropped)> StopAsync()
    {
        // libpcap hands tcpdump its packets in blocks up to a second old (its buffer timeout), and tcpdump exits on
        // SIGINT without the block still filling: the last calls' answers were missing. Waiting past that timeout lets
        // every block in; --immediate-mode would too, but wakes tcpdump for every packet while the calls are measured.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        _tcpdump.Signal(PosixSignal.SIGINT);
        await _tcpdump.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var dropped = DroppedPackets().Match(_tcpdump.Output);
        return (Read(await File.ReadAllBytesAsync(_file)), dropped.Success ? long.Parse(dropped.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _tcpdump.DisposeAsync();
        File.Delete(_file);
    }

    /// <summary>Reads a nanosecond pcap file of IPv4 TCP over Ethernet framing (what tcpdump writes for lo).</summary>
    private static List<CapturedSegment> Read(byte[] pcap)
    {
        const uint NanosecondMagic = 0xa1b23c4d;
        if (pcap.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(pcap) != NanosecondMagic)
        {
            throw new InvalidDataException("Not a little-endian nanosecond pcap file.");
        }

        var linkHeader = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(20)) switch
        {
            1 => 14, // Ethernet
            113 => 16, // Linux cooked capture
            var other => throw new InvalidDataException($"Link type {other} is not read here."),
        };
        var segments = new List<CapturedSegment>();
        for (var offset = 24; offset + 16 <= pcap.Length;)
        {
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset));
            var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset + 4));
            var captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset + 8));
            var frame = pcap.AsSpan(offset + 16, Math.Min(captured, pcap.Length - offset - 16));
            offset += 16 + captured;
            if (frame.Length < linkHeader + 20)
            {
                continue;
            }

            var ip = frame[linkHeader..];
            if (ip[0] >> 4 != 4 || ip[9] != 6)
            {
                continue;
            }

            var ipHeader = (ip[0] & 0xF) * 4;
            var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var tcp = ip[ipHeader..];
            var tcpHeader = (tcp[12] >> 4) * 4;
            var dataLength = totalLength - ipHeader - tcpHeader;
            if (dataLength <= 0)
            {
                continue;
            }

            var data = tcp[Math.Min(tcpHeader, tcp.Length)..];
            segments.Add(new CapturedSegment(seconds * 1_000_000_000L + nanoseconds, BinaryPrimitives.ReadUInt16BigEndian(tcp),
                BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]), data[..Math.Min(data.Length, dataLength)].ToArray()));
        }

        return segments;
    }

    [GeneratedRegex(@"(\d+) packets dropped by kernel")]
    private static partial Regex DroppedPackets();
}
