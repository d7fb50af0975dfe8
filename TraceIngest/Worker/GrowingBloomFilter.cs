using System.Numerics;

namespace TraceIngest.Worker;

/// <summary>
/// A Bloom filter that answers "certainly never added" or "maybe added" and never forgets: when a segment is full
/// it adds another of twice the capacity instead of rebuilding, so it never needs the added items again. Each full
/// segment adds about 0.007 % false positives (20 bits and 14 probes per item): a round asks about thousands of new
/// ids, and every false "maybe" among them costs a read; not thread-safe.
/// </summary>
internal sealed class GrowingBloomFilter(int initialCapacity)
{
    private const int BitsPerItem = 20;
    private const int Probes = 14;
    private readonly List<Segment> _segments = [new(Math.Max(initialCapacity, 1 << 16))];

    public void Add(UInt128 hash)
    {
        var current = _segments[^1];
        if (current.Count >= current.Capacity)
        {
            current = new Segment(current.Capacity * 2);
            _segments.Add(current);
        }

        current.Add(hash);
    }

    public bool MayContain(UInt128 hash)
    {
        foreach (var segment in _segments)
        {
            if (segment.MayContain(hash))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Segment
    {
        private readonly ulong[] _bits;
        private readonly ulong _mask;

        public Segment(int capacity)
        {
            Capacity = capacity;
            var bits = BitOperations.RoundUpToPowerOf2((ulong)capacity * BitsPerItem);
            _bits = new ulong[bits / 64];
            _mask = bits - 1;
        }

        public int Capacity { get; }

        public int Count { get; private set; }

        public void Add(UInt128 hash)
        {
            var (first, step) = Split(hash);
            for (var probe = 0; probe < Probes; probe++)
            {
                var bit = (first + ((ulong)probe * step)) & _mask;
                _bits[bit >> 6] |= 1UL << (int)(bit & 63);
            }

            Count++;
        }

        public bool MayContain(UInt128 hash)
        {
            var (first, step) = Split(hash);
            for (var probe = 0; probe < Probes; probe++)
            {
                var bit = (first + ((ulong)probe * step)) & _mask;
                if ((_bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        // Double hashing: the probes are first + i × step; an odd step visits distinct bits of a power-of-two array.
        private static (ulong First, ulong Step) Split(UInt128 hash) => ((ulong)hash, (ulong)(hash >> 64) | 1);
    }
}
