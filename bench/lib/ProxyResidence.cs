using System.Buffers.Text;
using System.Text;

/// <summary>
/// How long each call spent inside a proxy, from a loopback capture of the caller's connections to the proxy and the
/// proxy's connections to the upstream: from the request's last segment reaching the proxy to its last segment
/// leaving for the upstream, plus from the upstream answer's last segment reaching the proxy to the proxy's last
/// segment of it leaving for the caller. This is the latency a proxy adds where its callers and upstream run on other
/// machines; on this one, the latency the caller sees added also holds the caller's and the upstream's own waits for
/// the cores the proxy shares with them.
/// </summary>
/// <remarks>
/// Calls are told apart by a marker in the request body (<see cref="Marker"/> and ten digits), which the proxy
/// forwards, so each call's request is found on both connections. An answer is every segment the server sends on the
/// connection after that request and before the connection's next request.
/// </remarks>
internal static class ProxyResidence
{
    public const string Marker = "call-";
    private static readonly byte[] MarkerBytes = Encoding.ASCII.GetBytes(Marker);

    /// <summary>
    /// For each proxy (by the port it listens on): milliseconds inside it, per call id, for every call whose both hops
    /// the capture holds whole.
    /// </summary>
    public static Dictionary<int, Dictionary<long, double>> Of(IReadOnlyList<CapturedSegment> segments, IEnumerable<int> proxyPorts, int upstreamPort)
    {
        var atUpstream = Hops(segments, upstreamPort);
        var byProxy = new Dictionary<int, Dictionary<long, double>>();
        foreach (var proxyPort in proxyPorts)
        {
            var residence = byProxy[proxyPort] = [];
            foreach (var (id, outer) in Hops(segments, proxyPort))
            {
                if (atUpstream.TryGetValue(id, out var inner) && outer.AnswerEnded > 0 && inner.AnswerEnded > 0)
                {
                    var nanoseconds = (inner.RequestEnded - outer.RequestEnded) + (outer.AnswerEnded - inner.AnswerEnded);
                    residence[id] = nanoseconds / 1e6;
                }
            }
        }

        return byProxy;
    }

    /// <summary>For every call on the connections to <paramref name="serverPort"/>: when its request's last segment passed, and its answer's.</summary>
    private static Dictionary<long, Hop> Hops(IReadOnlyList<CapturedSegment> segments, int serverPort)
    {
        var hops = new Dictionary<long, Hop>();
        var current = new Dictionary<int, long>();
        foreach (var segment in segments)
        {
            if (segment.DestinationPort == serverPort)
            {
                if (IdIn(segment.Payload) is { } id)
                {
                    current[segment.SourcePort] = id;
                    hops[id] = new Hop(segment.Nanoseconds, 0);
                }
                else if (current.TryGetValue(segment.SourcePort, out var sending) && hops[sending].AnswerEnded == 0)
                {
                    // More of the same request's body.
                    hops[sending] = hops[sending] with { RequestEnded = segment.Nanoseconds };
                }
                else
                {
                    // The next request's first segment: the answer before it has ended.
                    current.Remove(segment.SourcePort);
                }
            }
            else if (segment.SourcePort == serverPort && current.TryGetValue(segment.DestinationPort, out var id))
            {
                hops[id] = hops[id] with { AnswerEnded = segment.Nanoseconds };
            }
        }

        return hops;
    }

    private static long? IdIn(byte[] payload)
    {
        var at = payload.AsSpan().IndexOf(MarkerBytes);
        return at >= 0 && Utf8Parser.TryParse(payload.AsSpan(at + MarkerBytes.Length), out long id, out var consumed) && consumed == 10 ? id : null;
    }

    private readonly record struct Hop(long RequestEnded, long AnswerEnded);
}
