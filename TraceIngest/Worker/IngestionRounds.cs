using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>Splits the batches taken from the queue at once into rounds written together; a batch is never split.</summary>
public static class IngestionRounds
{
    /// <summary>
    /// Consecutive runs of <paramref name="items"/>, in order, each within <paramref name="maxEvents"/> events
    /// and <paramref name="maxBytes"/> bytes, except a single batch over either bound, which makes a round alone.
    /// </summary>
    public static IEnumerable<ArraySegment<T>> Split<T>(T[] items, Func<T, IngestionBatchReference> reference, int maxEvents, long maxBytes)
    {
        var start = 0;
        var events = 0;
        var bytes = 0L;
        for (var i = 0; i < items.Length; i++)
        {
            var next = reference(items[i]);
            if (i > start && (events + next.EventCount > maxEvents || bytes + next.Bytes > maxBytes))
            {
                yield return new ArraySegment<T>(items, start, i - start);
                start = i;
                events = 0;
                bytes = 0;
            }

            events += next.EventCount;
            bytes += next.Bytes;
        }

        if (start < items.Length)
        {
            yield return new ArraySegment<T>(items, start, items.Length - start);
        }
    }
}
